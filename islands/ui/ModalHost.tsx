import type { ModalRequest, UiState } from "../core/ui_state.ts";
import { Modal } from "./Modal.tsx";
import { PromptModal } from "./PromptModal.tsx";

function ChoiceModal(props: { request: Extract<ModalRequest, { kind: "choice" }> }) {
  const { request } = props;
  const cancel = () => request.resolve(null);
  const focusCancel = request.choices[0]?.tone === "danger";
  return (
    <Modal
      title={request.title}
      onCancel={cancel}
      footer={
        <>
          {request.choices.map((choice, index) => (
            <button
              type="button"
              key={choice.id}
              class={`btn ${
                choice.tone === "danger" ? "btn-danger" : index === 0 ? "btn-primary" : ""
              }`}
              data-choice={choice.id}
              data-autofocus={!focusCancel && index === 0 ? "" : undefined}
              onClick={() => request.resolve(choice.id)}
            >
              {choice.label}
            </button>
          ))}
          <button
            type="button"
            class="btn"
            onClick={cancel}
            data-autofocus={focusCancel ? "" : undefined}
          >
            Cancel
          </button>
        </>
      }
    >
      <div class="modal-message">{request.message}</div>
    </Modal>
  );
}

/** Renders the open modal dialogs of `ui` (the last one on top). */
export function ModalHost(props: { ui: UiState }) {
  return (
    <>
      {props.ui.modals.value.map((request, index) => {
        switch (request.kind) {
          case "choice":
            return <ChoiceModal key={index} request={request} />;
          case "prompt":
            return <PromptModal key={index} request={request} />;
          default:
            return (
              <Modal
                key={index}
                title={request.title}
                onCancel={request.resolve}
                wide={request.wide}
              >
                {request.render(request.resolve)}
              </Modal>
            );
        }
      })}
    </>
  );
}
