import { buildDocx, buildPdf, writeZip } from "./fixtures.js";

/** A PDF from numbered object bodies, with a correct xref table (so only what the objects say is hostile). */
export function rawPdf(objects: string[], trailerExtra = ""): Buffer {
  let out = "%PDF-1.7\n";
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(Buffer.byteLength(out, "latin1"));
    out += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefAt = Buffer.byteLength(out, "latin1");
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra}>>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

const page = (parent: number, contents: number) =>
  `<< /Type /Page /Parent ${parent} 0 R /MediaBox [0 0 612 792] /Contents ${contents} 0 R >>`;
const stream = (data: string) => `<< /Length ${data.length} >>\nstream\n${data}\nendstream`;

/** Named hostile or broken files, each of which must be refused with a documented 4xx (never 5xx). */
export async function malformedCorpus(): Promise<{ name: string; bytes: Buffer }[]> {
  const validPdf = await buildPdf(["a perfectly fine page"]);
  const validDocx = await buildDocx(["a perfectly fine paragraph"]);
  const nested = "[".repeat(100_000) + "]".repeat(100_000);
  const deepXml = "<w:p>".repeat(200_000);
  const docxWith = (xml: string) =>
    writeZip({
      "[Content_Types].xml": Buffer.from("<Types/>"),
      "word/document.xml": Buffer.from(xml),
    });
  const badXref = Buffer.from(
    validPdf.toString("latin1").replace(/startxref\n\d+/, "startxref\n999999"),
    "latin1",
  );
  const corpus: { name: string; bytes: Buffer }[] = [
    { name: "truncated.pdf", bytes: validPdf.subarray(0, Math.floor(validPdf.length / 2)) },
    { name: "header-only.pdf", bytes: Buffer.from("%PDF-1.7\n") },
    { name: "bad-xref.pdf", bytes: badXref },
    {
      name: "garbage-xref.pdf",
      bytes: Buffer.from(
        validPdf.toString("latin1").replace(/xref\n[\s\S]*trailer/, "xref\nzz\ntrailer"),
        "latin1",
      ),
    },
    {
      name: "circular-page-tree.pdf",
      bytes: rawPdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        page(2, 4),
        stream("BT /F1 12 Tf (x) Tj ET"),
      ]),
    },
    {
      name: "self-parent-pages.pdf",
      bytes: rawPdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Parent 2 0 R /Kids [3 0 R] /Count 5 >>",
        "<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 5 >>",
      ]),
    },
    {
      name: "nested-arrays.pdf",
      bytes: rawPdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        page(2, 4),
        stream(`${nested} pop`),
      ]),
    },
    {
      name: "nested-arrays-in-dict.pdf",
      bytes: rawPdf([
        `<< /Type /Catalog /Pages 2 0 R /X ${nested} >>`,
        "<< /Type /Pages /Kids [] /Count 0 >>",
      ]),
    },
    {
      name: "encrypted.pdf",
      bytes: rawPdf(
        [
          "<< /Type /Catalog /Pages 2 0 R >>",
          "<< /Type /Pages /Kids [] /Count 0 >>",
          `<< /Filter /Standard /V 2 /R 3 /Length 128 /P -3904 /O <${"ab".repeat(32)}> /U <${"cd".repeat(32)}> >>`,
        ],
        `/Encrypt 3 0 R /ID [<${"01".repeat(16)}> <${"01".repeat(16)}>] `,
      ),
    },
    {
      name: "pages-not-a-dict.pdf",
      bytes: rawPdf(["<< /Type /Catalog /Pages 2 0 R >>", "(a string where the page tree should be)"]),
    },
    {
      name: "bad-stream-length.pdf",
      bytes: rawPdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        page(2, 4),
        "<< /Length 999999 /Filter /FlateDecode >>\nstream\nnot deflate at all\nendstream",
      ]),
    },
    { name: "broken-zip-directory.docx", bytes: validDocx.subarray(0, validDocx.length - 30) },
    { name: "zip-without-directory.docx", bytes: validDocx.subarray(0, validDocx.lastIndexOf("PK\x01\x02")) },
    { name: "zip-header-only.docx", bytes: Buffer.from("PK\x03\x04", "latin1") },
    { name: "document-part-binary.docx", bytes: docxWith("\x00\x01\x02 not xml \xff") },
    { name: "document-part-html.docx", bytes: docxWith("<html><body><p>hi</body>") },
    {
      name: "document-part-png.docx",
      bytes: writeZip({ "word/document.xml": Buffer.from("\x89PNG\r\n\x1a\n....", "latin1") }),
    },
    {
      name: "entity-expansion.docx",
      bytes: docxWith(
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' +
          "<w:document><w:t>&b;&b;&b;</w:t></w:document>",
      ),
    },
    { name: "deep-nesting.docx", bytes: docxWith(deepXml) },
    { name: "unknown-compression.docx", bytes: withCompressionMethod(validDocx, 99) },
    { name: "crc-mismatch.docx", bytes: flipDocumentByte(validDocx) },
    { name: "document-part-directory.docx", bytes: writeZip({ "word/document.xml/": Buffer.alloc(0) }) },
    { name: "utf16-odd-length.txt", bytes: Buffer.from([0xff, 0xfe, 0x41]) },
    { name: "binary.txt", bytes: Buffer.from([0x41, 0x00, 0x42]) },
    { name: "empty.pdf", bytes: Buffer.alloc(0) },
  ];
  return corpus;
}

/** Rewrites every local and central header's compression method. */
function withCompressionMethod(zip: Buffer, method: number): Buffer {
  const copy = Buffer.from(zip);
  for (const [signature, at] of [
    ["PK\x03\x04", 8],
    ["PK\x01\x02", 10],
  ] as const) {
    const marker = Buffer.from(signature, "latin1");
    for (let index = copy.indexOf(marker); index !== -1; index = copy.indexOf(marker, index + 4)) {
      copy.writeUInt16LE(method, index + at);
    }
  }
  return copy;
}

/** Changes one byte of the compressed document part, so its CRC (or the deflate stream) no longer matches. */
function flipDocumentByte(zip: Buffer): Buffer {
  const copy = Buffer.from(zip);
  const at = copy.indexOf("word/document.xml");
  copy[at + 40] = (copy[at + 40] as number) ^ 0xff;
  return copy;
}
