import { useState } from "preact/hooks";
import type { ModalRequest } from "../core/ui_state.ts";
import { Modal } from "./Modal.tsx";

type PromptRequest = Extract<ModalRequest, { kind: "prompt" }>;

function initialValues(request: PromptRequest): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of request.fields) values[field.name] = field.value;
  return values;
}

/** A dialog asking for one or more text values (name + slug, file name …). */
export function PromptModal(props: { request: PromptRequest }) {
  const { request } = props;
  const [values, setValues] = useState(() => initialValues(request));
  const [edited, setEdited] = useState<Set<string>>(() => new Set());
  const problems = request.fields.map((f) => f.problem?.(values[f.name] ?? "", values) ?? null);
  const blocked = problems.some((p) => p !== null);

  const change = (name: string, value: string) => {
    const next = { ...values, [name]: value };
    const nextEdited = new Set(edited).add(name);
    for (const field of request.fields) {
      if (field.derive && !nextEdited.has(field.name)) next[field.name] = field.derive(next);
    }
    setEdited(nextEdited);
    setValues(next);
  };
  const submit = (event: Event) => {
    event.preventDefault();
    if (!blocked) request.resolve(values);
  };
  const formId = `prompt-${request.fields.map((f) => f.name).join("-")}`;
  return (
    <Modal
      title={request.title}
      onCancel={() => request.resolve(null)}
      footer={
        <>
          <button type="submit" form={formId} class="btn btn-primary" disabled={blocked}>
            {request.confirmLabel}
          </button>
          <button type="button" class="btn" onClick={() => request.resolve(null)}>Cancel</button>
        </>
      }
    >
      {request.message && <div class="modal-message">{request.message}</div>}
      <form id={formId} class="prompt-form" onSubmit={submit}>
        {request.fields.map((field, index) => (
          <label class="field" key={field.name}>
            <span>{field.label}</span>
            {field.secret
              ? (
                <input
                  type="password"
                  name={field.name}
                  class={field.monospace ? "mono" : undefined}
                  value={values[field.name] ?? ""}
                  placeholder={field.placeholder}
                  aria-invalid={problems[index] ? "true" : undefined}
                  data-autofocus={index === 0 ? "" : undefined}
                  onInput={(event) => change(field.name, event.currentTarget.value)}
                  autocomplete="new-password"
                />
              )
              : (
                <input
                  name={field.name}
                  class={field.monospace ? "mono" : undefined}
                  value={values[field.name] ?? ""}
                  placeholder={field.placeholder}
                  aria-invalid={problems[index] ? "true" : undefined}
                  data-autofocus={index === 0 ? "" : undefined}
                  onInput={(event) => change(field.name, event.currentTarget.value)}
                  autocomplete="off"
                  spellcheck={false}
                />
              )}
            {problems[index] && <small class="field-problem">{problems[index]}</small>}
          </label>
        ))}
      </form>
    </Modal>
  );
}
