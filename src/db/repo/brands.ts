import { HttpMappedError } from "../../errors.js";
import { randomUUID } from "node:crypto";
import type { Db } from "../open.js";
import { nowIso } from "../open.js";
import { statement } from "../statements.js";

export interface BrandLogo {
  mimeType: string;
  /** The image bytes. */
  data: Buffer;
}

export interface BrandFields {
  name: string;
  colors: string[];
  fonts: string[];
  voice: string;
}

export interface Brand extends BrandFields {
  id: string;
  logoMimeType: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** A profile with its logo bytes, as a turn's prompts need it. */
export interface BrandWithLogo extends Brand {
  logo: BrandLogo | null;
}

interface BrandRow {
  id: string;
  name: string;
  colors: string;
  fonts: string;
  voice: string;
  logo_mime: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export class BrandNameTakenError extends HttpMappedError {
  constructor(name: string) {
    super(409, "name_taken", `a brand profile named "${name}" already exists`);
  }
}

const COLUMNS = "id, name, colors, fonts, voice, logo_mime, created_by, created_at, updated_at";

function toBrand(row: BrandRow): Brand {
  return {
    id: row.id,
    name: row.name,
    colors: JSON.parse(row.colors) as string[],
    fonts: JSON.parse(row.fonts) as string[],
    voice: row.voice,
    logoMimeType: row.logo_mime,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function listBrands(db: Db): Brand[] {
  const rows = statement(
    db,
    `SELECT ${COLUMNS} FROM brand_profiles ORDER BY name COLLATE NOCASE`,
  ).all() as BrandRow[];
  return rows.map(toBrand);
}

export function getBrand(db: Db, id: string): Brand | undefined {
  const row = statement(db, `SELECT ${COLUMNS} FROM brand_profiles WHERE id = ?`).get(id) as
    BrandRow | undefined;
  return row && toBrand(row);
}

export function getBrandLogo(db: Db, id: string): BrandLogo | null {
  const row = statement(db, "SELECT logo_mime, logo_data FROM brand_profiles WHERE id = ?").get(id) as
    { logo_mime: string | null; logo_data: Buffer | null } | undefined;
  return row?.logo_mime && row.logo_data ? { mimeType: row.logo_mime, data: row.logo_data } : null;
}

export function createBrand(db: Db, fields: BrandFields, logo: BrandLogo | null, createdBy: string): Brand {
  const id = randomUUID();
  const now = nowIso();
  guardUniqueName(fields.name, () =>
    statement(
      db,
      `INSERT INTO brand_profiles (id, name, colors, fonts, voice, logo_mime, logo_data, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      fields.name,
      JSON.stringify(fields.colors),
      JSON.stringify(fields.fonts),
      fields.voice,
      logo?.mimeType ?? null,
      logo?.data ?? null,
      createdBy,
      now,
      now,
    ),
  );
  return getBrand(db, id) as Brand;
}

/** Changes the given fields; `logo: null` removes the logo, an absent `logo` keeps it. */
export function updateBrand(
  db: Db,
  id: string,
  patch: Partial<BrandFields> & { logo?: BrandLogo | null },
): Brand | undefined {
  const current = getBrand(db, id);
  if (!current) return undefined;
  const next = { ...current, ...patch };
  guardUniqueName(next.name, () =>
    statement(
      db,
      "UPDATE brand_profiles SET name = ?, colors = ?, fonts = ?, voice = ?, updated_at = ? WHERE id = ?",
    ).run(next.name, JSON.stringify(next.colors), JSON.stringify(next.fonts), next.voice, nowIso(), id),
  );
  if (patch.logo !== undefined) {
    statement(db, "UPDATE brand_profiles SET logo_mime = ?, logo_data = ? WHERE id = ?").run(
      patch.logo?.mimeType ?? null,
      patch.logo?.data ?? null,
      id,
    );
  }
  return getBrand(db, id);
}

/** Deletes the profile; sessions that had chosen it go back to no profile (their documents stay as they are). */
export function deleteBrand(db: Db, id: string): boolean {
  return statement(db, "DELETE FROM brand_profiles WHERE id = ?").run(id).changes > 0;
}

export function getSessionBrandId(db: Db, sessionId: string): string | null {
  const id = statement(db, "SELECT brand_id FROM session_brands WHERE session_id = ?").pluck().get(sessionId);
  return typeof id === "string" ? id : null;
}

export function setSessionBrand(db: Db, sessionId: string, brandId: string | null): void {
  if (brandId === null) statement(db, "DELETE FROM session_brands WHERE session_id = ?").run(sessionId);
  else
    statement(
      db,
      "INSERT INTO session_brands (session_id, brand_id) VALUES (?, ?) ON CONFLICT (session_id) DO UPDATE SET brand_id = excluded.brand_id",
    ).run(sessionId, brandId);
}

/** The profile a session's turns carry, with its logo; null when none is chosen. */
export function sessionBrand(db: Db, sessionId: string): BrandWithLogo | null {
  const id = getSessionBrandId(db, sessionId);
  const brand = id ? getBrand(db, id) : undefined;
  return brand ? { ...brand, logo: getBrandLogo(db, brand.id) } : null;
}

function guardUniqueName(name: string, write: () => unknown): void {
  try {
    write();
  } catch (error) {
    if (error instanceof Error && /UNIQUE constraint failed: brand_profiles\.name/.test(error.message))
      throw new BrandNameTakenError(name);
    throw error;
  }
}
