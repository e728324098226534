// Feed titles and summaries are HTML more often than not (escaped or in CDATA).
// Everything downstream — matching, storage, the digest — wants plain text.

// The named entities that actually occur in feeds; the XML parser has already decoded the
// five XML ones once, so these handle the second (HTML) layer. Unknown names stay literal.
const NAMED_ENTITIES: Record<string, string> = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", ndash: "–", mdash: "—",
  lsquo: "‘", rsquo: "’", sbquo: "‚", ldquo: "“", rdquo: "”", bdquo: "„", laquo: "«", raquo: "»",
  hellip: "…", middot: "·", bull: "•", copy: "©", reg: "®", trade: "™", deg: "°", euro: "€",
  pound: "£", yen: "¥", cent: "¢", sect: "§", para: "¶", times: "×", divide: "÷", shy: "",
  thinsp: " ", ensp: " ", emsp: " ", zwnj: "", zwj: "", lrm: "", rlm: "", prime: "′", Prime: "″",
  iexcl: "¡", iquest: "¿", agrave: "à", aacute: "á", acirc: "â", auml: "ä", ccedil: "ç",
  egrave: "è", eacute: "é", ecirc: "ê", euml: "ë", iacute: "í", icirc: "î", iuml: "ï", ntilde: "ñ",
  oacute: "ó", ocirc: "ô", ouml: "ö", oslash: "ø", uacute: "ú", ucirc: "û", uuml: "ü", szlig: "ß",
  Aacute: "Á", Auml: "Ä", Eacute: "É", Ouml: "Ö", Uuml: "Ü", Ntilde: "Ñ", Ccedil: "Ç",
};

// C0/C1 controls, DEL, and non-characters: invisible, break XML output and email headers.
// Tab/newline/CR are kept until whitespace folding.
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/g;

export function stripControlChars(text: string): string {
  return text.replace(CONTROL_CHARS, "");
}

export function decodeEntities(text: string): string {
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?/g, (whole, ref: string) => {
    if (ref.startsWith("#")) {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : "";
    }
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

/** Plain text: script/style bodies dropped, tags removed, entities decoded, controls removed, whitespace folded, capped. */
export function htmlToText(html: string, maxChars = Infinity): string {
  const text = decodeEntities(
    html
      .replace(/<!--[\s\S]*?-->/g, " ")
      .replace(/<(script|style|iframe|object|noscript)\b[\s\S]*?<\/\1\s*>/gi, " ")
      .replace(/<\/?[A-Za-z!?][^>]*>/g, " "),
  );
  const folded = stripControlChars(text).replace(/\s+/g, " ").trim();
  if (folded.length <= maxChars) return folded;
  // Cut on a code-point boundary: a lone surrogate would be invalid in JSON, XML and email.
  const cut = folded.slice(0, maxChars - 1).replace(/[\uD800-\uDBFF]$/, "");
  return `${cut.trimEnd()}…`;
}
