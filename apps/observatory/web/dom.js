// Safe DOM building for the observatory page.
//
// SECURITY: every string that comes from telemetry (span names, attribute keys and values, service
// names, event names, model names, ids) is untrusted. It reaches the DOM only through `textContent`
// or `setAttribute` on `data-*`, `title` and `class` attributes. This module never uses `innerHTML`,
// `outerHTML` or `insertAdjacentHTML`, never sets `href`/`src`/`style`/`on*` attributes, and refuses to
// (see `setAttr`), so a `<script>` or `javascript:` value is displayed as text and never executed.

/** Attribute names `h` refuses: event handlers, URLs, inline styles and frame sources. */
const FORBIDDEN_ATTRIBUTE = /^(on|href$|src$|srcset$|style$|action$|formaction$|xlink:|srcdoc$|background$|poster$)/i;

/**
 * Sets one attribute, refusing the names that could run code or load a URL.
 * @param {Element} el
 * @param {string} name
 * @param {string | number | boolean} value
 */
export function setAttr(el, name, value) {
  if (FORBIDDEN_ATTRIBUTE.test(name)) throw new Error(`refusing to set attribute ${name}`);
  el.setAttribute(name, String(value));
}

/**
 * Creates an element. `props.text` becomes `textContent`; `props.class` the class list; `props.testid`
 * `data-testid`; `props.data` `data-*` attributes; `props.attrs` other (static, safe) attributes.
 * Children may be nodes, strings (as text nodes) or null/undefined/false (skipped).
 * @param {string} tag
 * @param {{ text?: unknown, class?: string, testid?: string, title?: unknown,
 *   data?: Record<string, unknown>, attrs?: Record<string, string | number | boolean> } | null} [props]
 * @param {Array<Node | string | null | undefined | false>} [children]
 * @returns {HTMLElement}
 */
export function h(tag, props, children) {
  const el = document.createElement(tag);
  if (props) {
    if (props.class) el.className = props.class;
    if (props.testid) el.setAttribute("data-testid", props.testid);
    if (props.title !== undefined && props.title !== null) el.setAttribute("title", String(props.title));
    if (props.data) {
      for (const [key, value] of Object.entries(props.data)) {
        if (value !== undefined && value !== null) el.setAttribute(`data-${key}`, String(value));
      }
    }
    if (props.attrs) {
      for (const [key, value] of Object.entries(props.attrs)) setAttr(el, key, value);
    }
    if (props.text !== undefined && props.text !== null) el.textContent = String(props.text);
  }
  if (children) append(el, children);
  return el;
}

/**
 * Appends children (nodes or strings as text) to `el`.
 * @param {Element | DocumentFragment} el
 * @param {Array<Node | string | null | undefined | false>} children
 */
export function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
}

/**
 * Replaces all children of `el`.
 * @param {Element} el
 * @param {Array<Node | string | null | undefined | false>} [children]
 */
export function replace(el, children) {
  const frag = document.createDocumentFragment();
  if (children) append(frag, children);
  el.replaceChildren(frag);
}

/**
 * Looks an element up by id and fails loudly when the page markup and the script disagree.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el;
}

/**
 * Positions an element inside a track with percentages (CSSOM, which the CSP allows; no style attribute).
 * @param {HTMLElement} el
 * @param {number} leftPct
 * @param {number} [widthPct]
 */
export function place(el, leftPct, widthPct) {
  el.style.left = `${clampPct(leftPct)}%`;
  if (widthPct !== undefined) el.style.width = `${clampPct(widthPct)}%`;
}

/** @param {number} value */
function clampPct(value) {
  if (!Number.isFinite(value)) return 0;
  return Math.min(100, Math.max(0, value));
}
