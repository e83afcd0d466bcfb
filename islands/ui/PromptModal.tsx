import { useState } from "preact/hooks";
import type { ModalRequest, PromptField } from "../core/ui_state.ts";
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
            <FieldInput
              field={field}
              value={values[field.name] ?? ""}
              invalid={Boolean(problems[index])}
              autofocus={index === 0}
              onValue={(value) => change(field.name, value)}
            />
            {problems[index] && <small class="field-problem">{problems[index]}</small>}
          </label>
        ))}
      </form>
    </Modal>
  );
}

/** One field's input: a password field for a secret (never filled by autofill), else text. */
function FieldInput(props: {
  field: PromptField;
  value: string;
  invalid: boolean;
  autofocus: boolean;
  onValue: (value: string) => void;
}) {
  const { field } = props;
  const common = {
    name: field.name,
    class: field.monospace ? "mono" : undefined,
    value: props.value,
    placeholder: field.placeholder,
    "aria-invalid": props.invalid ? "true" as const : undefined,
    "data-autofocus": props.autofocus ? "" : undefined,
    onInput: (event: Event) => props.onValue((event.currentTarget as HTMLInputElement).value),
  };
  return field.secret
    ? <input type="password" autocomplete="new-password" {...common} />
    : <input autocomplete="off" spellcheck={false} {...common} />;
}
