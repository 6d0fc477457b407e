import { randomBytes } from "node:crypto";
import { crc32, deflateRawSync } from "node:zlib";
import JSZip from "jszip";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { appendVersion } from "../../src/db/repo/versions.js";
import { createSession } from "../../src/db/repo/sessions.js";
import { renameDocument } from "../../src/db/repo/documents.js";
import type { Db } from "../../src/db/open.js";

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>`;
const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>`;

function documentXml(paragraphs: string[]): string {
  const body = paragraphs.map((text) => `<w:p><w:r><w:t xml:space="preserve">${text}</w:t></w:r></w:p>`);
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body.join("")}</w:body></w:document>`;
}

/** A minimal but real .docx (the parts Word itself requires), optionally with extra parts. */
export async function buildDocx(
  paragraphs: string[],
  extra: Record<string, Uint8Array> = {},
): Promise<Buffer> {
  const zip = new JSZip();
  zip.file("[Content_Types].xml", CONTENT_TYPES);
  zip.file("_rels/.rels", ROOT_RELS);
  zip.file("word/document.xml", documentXml(paragraphs));
  for (const [name, data] of Object.entries(extra)) zip.file(name, data);
  return zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE", compressionOptions: { level: 9 } });
}

/** Rewrites the uncompressed size a ZIP's central directory declares for one entry (a lying zip bomb). */
export function declareUncompressedSize(zip: Buffer, entryName: string, size: number): Buffer {
  const copy = Buffer.from(zip);
  const signature = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let at = copy.indexOf(signature); at !== -1; at = copy.indexOf(signature, at + 4)) {
    const nameLength = copy.readUInt16LE(at + 28);
    if (copy.toString("utf8", at + 46, at + 46 + nameLength) === entryName) {
      copy.writeUInt32LE(size, at + 24);
      return copy;
    }
  }
  throw new Error(`no entry ${entryName}`);
}

export async function buildPdf(pages: string[]): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const text of pages) {
    const page = pdf.addPage([595, 842]);
    page.drawText(text, { x: 50, y: 780, size: 14, font });
  }
  return Buffer.from(await pdf.save());
}

/** Bytes that look like a Windows executable: MZ header, zero padding, PE signature. */
export function exeBytes(): Buffer {
  const bytes = Buffer.alloc(1024);
  bytes.write("MZ", 0, "latin1");
  bytes.writeUInt32LE(0x80, 0x3c);
  bytes.write("PE\0\0", 0x80, "latin1");
  bytes.write("This program cannot be run in DOS mode.", 0x4e, "latin1");
  return bytes;
}

export function pngSize(png: Buffer): { width: number; height: number } {
  if (!png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    throw new Error("not a PNG");
  }
  if (png.toString("latin1", 12, 16) !== "IHDR") throw new Error("PNG without IHDR first");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** A session owned by `owner` whose first document holds the given versions. */
export function seedDocument(db: Db, owner: string, title: string, versions: string[]) {
  const { session, documentId } = createSession(db, { owner, maxPerOwner: 10 });
  renameDocument(db, documentId, title);
  for (const html of versions) {
    appendVersion(db, { documentId, html, prompt: null, summary: null, model: null });
  }
  return { sessionId: session.id, documentId };
}

/**
 * A ZIP written with Node's own zlib (fast for tens of megabytes, unlike a pure-JS deflate), one DEFLATE entry per
 * part, central directory included: the shape Word writes.
 */
export function writeZip(parts: Record<string, Buffer>, level = 1): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(parts)) {
    const nameBytes = Buffer.from(name, "utf8");
    const compressed = deflateRawSync(data, { level });
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(compressed.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, compressed);
    central.push(entry, nameBytes);
    offset += local.length + nameBytes.length + compressed.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length / 2, 8);
  end.writeUInt16LE(central.length / 2, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * A valid .docx whose word/document.xml is about `xmlBytes` long, of pseudo-random words that compress only about
 * 2.5:1 (so it passes every zip-bomb check): the large-but-ordinary upload that used to stall the server.
 */
export function buildLargeDocx(xmlBytes: number): Buffer {
  const letters = "etaoinshrdlu";
  const random = randomBytes(256 * 1024);
  let block = "";
  for (let at = 0; at + 200 <= random.length; at += 200) {
    let words = "";
    for (let i = 0; i < 200; i += 1) words += i % 7 === 6 ? " " : letters[(random[at + i] as number) % 12];
    block += `<w:p><w:r><w:t xml:space="preserve">${words}</w:t></w:r></w:p>`;
  }
  const head = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`;
  const tail = "</w:body></w:document>";
  const blockBytes = Buffer.from(block);
  const copies = Math.max(1, Math.floor((xmlBytes - head.length - tail.length) / blockBytes.length));
  const xml = Buffer.concat([
    Buffer.from(head),
    ...Array<Buffer>(copies).fill(blockBytes),
    Buffer.from(tail),
  ]);
  return writeZip({
    "[Content_Types].xml": Buffer.from(CONTENT_TYPES),
    "_rels/.rels": Buffer.from(ROOT_RELS),
    "word/document.xml": xml,
  });
}
