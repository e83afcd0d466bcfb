import type { ComponentType } from "preact";

/** Attribute marking an island's root; its value is the island's name. */
export const ISLAND_ATTRIBUTE = "data-island";

/**
 * Serialises island props as JSON safe to place inside `<script type="application/json">`:
 * `<`, `>`, `&` and the line separators are escaped so no text can close the element.
 */
export function serializeIslandProps(props: unknown): string {
  return JSON.stringify(props)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Props of {@link Island}. */
export interface IslandProps<P> {
  /** Name the browser entry knows the component by (islands/client.ts). */
  name: string;
  component: ComponentType<P>;
  props: P;
}

/**
 * Server-renders an interactive component and marks it for hydration: the rendered root
 * carries `data-island="<name>"`, and the props follow as escaped JSON in a data script
 * (never executed, so the CSP's script-src is not involved).
 */
export function Island<P>(island: IslandProps<P>) {
  const Component = island.component as ComponentType<Record<string, unknown>>;
  return (
    <>
      <div data-island={island.name} class="island">
        <Component {...(island.props as Record<string, unknown>)} />
      </div>
      <script
        type="application/json"
        data-island-props={island.name}
        // deno-lint-ignore react-no-danger
        dangerouslySetInnerHTML={{ __html: serializeIslandProps(island.props) }}
      />
    </>
  );
}
