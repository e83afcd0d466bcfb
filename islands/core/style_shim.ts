/**
 * The dashboard's CSP allows no inline styles (`style-src 'self'`), but xterm.js and
 * CodeMirror create `<style>` elements and xterm sets some `style` attributes. Constructed
 * stylesheets and CSSOM changes are not inline styles, so this shim turns the first into an
 * adopted stylesheet and the second into `element.style.cssText`: the libraries work and the
 * page reports no CSP violation.
 */
const INSTALLED = Symbol.for("aikore.styleShim");

type ShimmedDocument = Document & { [INSTALLED]?: true };

function adoptedStyle(doc: Document, create: Document["createElement"]): HTMLElement {
  // A <template> is never rendered and never parsed as CSS: a safe stand-in for <style>.
  const holder = create.call(doc, "template") as HTMLElement;
  const sheet = new CSSStyleSheet();
  let text = "";
  let adopted = false;
  Object.defineProperty(holder, "textContent", {
    get: () => text,
    set(value: unknown) {
      text = value === null || value === undefined ? "" : String(value);
      sheet.replaceSync(text);
      if (!adopted) {
        doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
        adopted = true;
      }
    },
  });
  const remove = holder.remove.bind(holder);
  holder.remove = () => {
    remove();
    if (adopted) doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => s !== sheet);
    adopted = false;
  };
  holder.setAttribute("data-adopted-style", "");
  return holder;
}

/** Installs the shim on `doc` once (browser only). */
export function installStyleShim(doc: Document): void {
  const shimmed = doc as ShimmedDocument;
  if (shimmed[INSTALLED] || typeof CSSStyleSheet === "undefined") return;
  shimmed[INSTALLED] = true;
  const create = doc.createElement;
  doc.createElement = function (this: Document, tag: string, options?: ElementCreationOptions) {
    if (typeof tag === "string" && tag.toLowerCase() === "style") {
      return adoptedStyle(this, create);
    }
    return create.call(this, tag, options);
  } as Document["createElement"];
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (this: Element, name: string, value: string) {
    if (name.toLowerCase() === "style" && this instanceof HTMLElement) {
      this.style.cssText = String(value);
      return;
    }
    setAttribute.call(this, name, value);
  };
}
