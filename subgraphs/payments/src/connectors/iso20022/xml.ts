/**
 * A small, strict XML reader and writer for the ISO 20022 files we exchange with banks.
 *
 * No XML package is installed in the workspace (fast-xml-parser was asked for, see docs/payments.md);
 * this covers exactly what ISO 20022 files use: elements, attributes, namespaces (prefixes are
 * dropped, the root's namespace is kept), text, CDATA, comments, the XML declaration and the five
 * predefined entities plus character references. It refuses, rather than guesses:
 * DOCTYPE and ENTITY declarations (no external entities, no entity expansion bombs), unbalanced
 * tags, unknown entities, text or a second element outside the root, and files over `maxBytes`.
 */

export class XmlError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line ? `${message} (line ${line})` : message);
  }
}

export interface XmlElement {
  /** Local name (namespace prefix dropped). */
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside the element, trimmed. */
  text: string;
}

export interface XmlDocument {
  root: XmlElement;
  /** The root element's namespace URI (its default namespace or the one its prefix names). */
  namespace: string | null;
}

const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$/;
const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decode(raw: string, line: () => number): string {
  return raw.replace(/&([^;&\s]{0,12});?/g, (whole, ent: string) => {
    if (!whole.endsWith(";")) throw new XmlError(`bare "&" in text or attribute`, line());
    if (ent in PREDEFINED) return PREDEFINED[ent]!;
    const m = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ent);
    if (!m) throw new XmlError(`unknown entity &${ent};`, line());
    const code = m[1] ? parseInt(m[1], 16) : Number(m[2]);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new XmlError(`invalid character reference &${ent};`, line());
    return String.fromCodePoint(code);
  });
}

const localName = (qname: string) => qname.slice(qname.indexOf(":") + 1);

/** Parses a whole document. Throws XmlError with a line number on anything malformed. */
export function parseXml(text: string, maxBytes = 50_000_000): XmlDocument {
  if (Buffer.byteLength(text, "utf8") > maxBytes) throw new XmlError(`document over ${maxBytes} bytes`);
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const lineAt = (p: number) => {
    let n = 1;
    for (let i = 0; i < p && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
    return n;
  };
  const here = () => lineAt(pos);
  const stack: { el: XmlElement; qname: string; text: string[] }[] = [];
  let root: XmlElement | null = null;
  let rootNs: string | null = null;
  let rootDone = false;

  while (pos < text.length) {
    const lt = text.indexOf("<", pos);
    const chunk = text.slice(pos, lt < 0 ? text.length : lt);
    if (chunk.length > 0) {
      if (stack.length) stack[stack.length - 1]!.text.push(decode(chunk, here));
      else if (chunk.trim()) throw new XmlError("text outside the root element", here());
    }
    if (lt < 0) break;
    pos = lt;
    if (text.startsWith("<?", pos)) {
      const end = text.indexOf("?>", pos);
      if (end < 0) throw new XmlError("unterminated processing instruction", here());
      if (text.startsWith("<?xml ", pos) && pos > 1) throw new XmlError("XML declaration not at the start", here());
      pos = end + 2;
      continue;
    }
    if (text.startsWith("<!--", pos)) {
      const end = text.indexOf("-->", pos + 4);
      if (end < 0) throw new XmlError("unterminated comment", here());
      pos = end + 3;
      continue;
    }
    if (text.startsWith("<![CDATA[", pos)) {
      const end = text.indexOf("]]>", pos);
      if (end < 0) throw new XmlError("unterminated CDATA section", here());
      if (!stack.length) throw new XmlError("CDATA outside the root element", here());
      stack[stack.length - 1]!.text.push(text.slice(pos + 9, end));
      pos = end + 3;
      continue;
    }
    if (text.startsWith("<!", pos)) throw new XmlError("DOCTYPE and entity declarations are not accepted", here());
    if (text.startsWith("</", pos)) {
      const end = text.indexOf(">", pos);
      if (end < 0) throw new XmlError("unterminated end tag", here());
      const qname = text.slice(pos + 2, end).trim();
      const open = stack.pop();
      if (!open || open.qname !== qname) throw new XmlError(`end tag </${qname}> does not match <${open?.qname ?? "nothing"}>`, here());
      open.el.text = open.text.join("").trim();
      pos = end + 1;
      if (!stack.length) rootDone = true;
      continue;
    }
    // Start tag: scan to the closing ">" outside quoted attribute values.
    let i = pos + 1;
    let quote = "";
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (quote) {
        if (c === quote) quote = "";
      } else if (c === '"' || c === "'") quote = c;
      else if (c === "<") throw new XmlError("'<' inside a tag", lineAt(i));
      else if (c === ">") break;
    }
    if (i >= text.length) throw new XmlError("unterminated start tag", here());
    let body = text.slice(pos + 1, i);
    const selfClosing = body.endsWith("/");
    if (selfClosing) body = body.slice(0, -1);
    const nameMatch = /^([^\s/>]+)/.exec(body);
    const qname = nameMatch?.[1] ?? "";
    if (!NAME.test(qname)) throw new XmlError(`bad element name "${qname.slice(0, 40)}"`, here());
    if (rootDone && !stack.length) throw new XmlError("more than one root element", here());
    const attrs: Record<string, string> = {};
    const rest = body.slice(qname.length);
    const attrRe = /\s+([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/gy;
    let consumed = 0;
    for (let m = attrRe.exec(rest); m; m = attrRe.exec(rest)) {
      const an = m[1]!;
      if (!NAME.test(an)) throw new XmlError(`bad attribute name "${an.slice(0, 40)}"`, here());
      if (an in attrs) throw new XmlError(`attribute ${an} repeated`, here());
      const value = m[3] ?? m[4] ?? "";
      if (value.includes("<")) throw new XmlError("'<' in an attribute value", here());
      attrs[an] = decode(value, here);
      consumed = attrRe.lastIndex;
    }
    if (rest.slice(consumed).trim()) throw new XmlError(`malformed attributes in <${qname}>`, here());
    const el: XmlElement = { name: localName(qname), attrs, children: [], text: "" };
    if (stack.length) stack[stack.length - 1]!.el.children.push(el);
    else {
      root = el;
      const prefix = qname.includes(":") ? qname.slice(0, qname.indexOf(":")) : null;
      rootNs = (prefix ? attrs[`xmlns:${prefix}`] : attrs.xmlns) ?? null;
    }
    pos = i + 1;
    if (selfClosing) {
      if (!stack.length) rootDone = true;
    } else stack.push({ el, qname, text: [] });
  }
  if (stack.length) throw new XmlError(`element <${stack[stack.length - 1]!.qname}> is not closed`, lineAt(text.length));
  if (!root) throw new XmlError("no root element");
  return { root, namespace: rootNs };
}

// ---- navigation helpers --------------------------------------------------------------------

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

export function children(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** The element at a path of local names ("GrpHdr/MsgId"), or undefined. */
export function at(el: XmlElement | undefined, path: string): XmlElement | undefined {
  let cur = el;
  for (const part of path.split("/")) cur = child(cur, part);
  return cur;
}

/** The text at a path, or null when absent. */
export function textAt(el: XmlElement | undefined, path: string): string | null {
  const found = at(el, path);
  return found ? found.text : null;
}

/** The text at a path; throws XmlError naming the path when absent or empty. */
export function requiredText(el: XmlElement | undefined, path: string, where: string): string {
  const t = textAt(el, path);
  if (!t) throw new XmlError(`${where}: ${path} is missing`);
  return t;
}

// ---- writing ------------------------------------------------------------------------------

/** Escapes character data and attribute values; refuses characters XML 1.0 cannot carry. */
export function escapeXml(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(value)) throw new XmlError("text contains a character XML 1.0 cannot carry");
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** A node to write: [name, attributes?, ...content], where content is text, nodes, or null/undefined (skipped). */
export type XmlNode = [string, ...(XmlNode | string | Record<string, string> | null | undefined | false)[]];

/** Writes a node tree as indented XML (append-only into `out`, so large files stay linear). */
export function writeXml(node: XmlNode, out: string[] = [], indent = ""): string[] {
  const [name, ...rest] = node;
  let attrs = "";
  const content: (XmlNode | string)[] = [];
  for (const part of rest) {
    if (part === null || part === undefined || part === false) continue;
    if (typeof part === "string" || Array.isArray(part)) content.push(part);
    else for (const [k, v] of Object.entries(part)) attrs += ` ${k}="${escapeXml(v)}"`;
  }
  if (content.length === 0) out.push(`${indent}<${name}${attrs}/>\n`);
  else if (content.every((c) => typeof c === "string")) out.push(`${indent}<${name}${attrs}>${content.map((c) => escapeXml(c as string)).join("")}</${name}>\n`);
  else {
    out.push(`${indent}<${name}${attrs}>\n`);
    for (const c of content) {
      if (typeof c === "string") out.push(`${indent}  ${escapeXml(c)}\n`);
      else writeXml(c, out, `${indent}  `);
    }
    out.push(`${indent}</${name}>\n`);
  }
  return out;
}

export function xmlDocument(root: XmlNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${writeXml(root).join("")}`;
}
