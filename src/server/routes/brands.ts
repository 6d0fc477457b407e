import type { Context } from "hono";
import { Hono } from "hono";
import * as z from "zod";
import {
  createBrand,
  deleteBrand,
  getBrand,
  getBrandLogo,
  getSessionBrandId,
  listBrands,
  setSessionBrand,
  updateBrand,
  type Brand,
  type BrandLogo,
} from "../../db/repo/brands.js";
import { ApiError } from "../errors.js";
import { requireOwnedSession, requireUuid } from "../guards.js";
import type { AppDeps, AppEnv } from "../types.js";
import { jsonBodyLimit, readJson } from "../validate.js";

/** Logos travel to the models as images, which accept these four types. */
const LOGO_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"] as const;
const MAX_LOGO_BYTES = 512 * 1024;
/** A logo as base64 plus JSON overhead. */
const MAX_BRAND_BODY_BYTES = Math.ceil((MAX_LOGO_BYTES * 4) / 3) + 64 * 1024;

const logoSchema = z.strictObject({
  mimeType: z.enum(LOGO_TYPES, {
    message: "logo.mimeType must be image/png, image/jpeg, image/webp or image/gif",
  }),
  data: z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, { message: "logo.data must be base64" })
    .refine((data) => Math.floor((data.length * 3) / 4) <= MAX_LOGO_BYTES, {
      message: `logo must be at most ${MAX_LOGO_BYTES / 1024} KiB`,
    }),
});

const fields = {
  name: z.string().trim().min(1, { message: "name must not be empty" }).max(80),
  colors: z
    .array(z.string().regex(/^#[0-9a-fA-F]{6}$/, { message: "colours must look like #1a2b3c" }))
    .max(12),
  fonts: z.array(z.string().trim().min(1).max(80)).max(6),
  voice: z.string().trim().max(2000),
};

const createBody = z.strictObject({
  name: fields.name,
  colors: fields.colors.default([]),
  fonts: fields.fonts.default([]),
  voice: fields.voice.default(""),
  logo: logoSchema.optional(),
});

const patchBody = z.strictObject({
  name: fields.name.optional(),
  colors: fields.colors.optional(),
  fonts: fields.fonts.optional(),
  voice: fields.voice.optional(),
  logo: logoSchema.nullable().optional(),
});

const sessionBrandBody = z.strictObject({ brandId: z.string().nullable() });

function presentBrand(brand: Brand) {
  const { logoMimeType, ...rest } = brand;
  return { ...rest, logoUrl: logoMimeType ? `/api/brands/${brand.id}/logo` : null };
}

/**
 * `/api/brands`: every user lists profiles and reads logos (to pick one); only ADMIN_USERS create, change and
 * delete them (403 `forbidden` otherwise).
 */
export function brandRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db } = deps;
  const app = new Hono<AppEnv>();
  app.use("*", jsonBodyLimit(MAX_BRAND_BODY_BYTES));

  app.get("/", (c) => c.json({ brands: listBrands(db).map(presentBrand) }));

  app.get("/:id/logo", (c) => {
    const logo = getBrandLogo(db, requireUuid(c.req.param("id"), "brand"));
    if (!logo) throw new ApiError(404, "not_found", "this brand profile has no logo");
    return c.body(new Uint8Array(logo.data), 200, {
      "Content-Type": logo.mimeType,
      "Cache-Control": "no-cache",
    });
  });

  app.post("/", async (c) => {
    requireAdmin(c);
    const body = await readJson(c, createBody);
    const { logo, ...rest } = body;
    const brand = createBrand(db, rest, logo ? toLogo(logo) : null, c.get("user"));
    return c.json({ brand: presentBrand(brand) }, 201);
  });

  app.patch("/:id", async (c) => {
    requireAdmin(c);
    const id = requireUuid(c.req.param("id"), "brand");
    const { logo, ...rest } = await readJson(c, patchBody);
    const patch = { ...rest, ...(logo === undefined ? {} : { logo: logo && toLogo(logo) }) };
    const brand = updateBrand(db, id, patch);
    if (!brand) throw new ApiError(404, "not_found", "brand profile not found");
    return c.json({ brand: presentBrand(brand) });
  });

  app.delete("/:id", (c) => {
    requireAdmin(c);
    if (!deleteBrand(db, requireUuid(c.req.param("id"), "brand")))
      throw new ApiError(404, "not_found", "brand profile not found");
    return c.body(null, 204);
  });
  return app;
}

/** `GET/PUT /api/sessions/:id/brand`: the profile the owner chose for this session's turns. */
export function sessionBrandRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db } = deps;
  const app = new Hono<AppEnv>();
  const current = (sessionId: string) => {
    const id = getSessionBrandId(db, sessionId);
    const brand = id ? getBrand(db, id) : undefined;
    return { brand: brand ? presentBrand(brand) : null };
  };
  app.get("/:id/brand", (c) => c.json(current(requireOwnedSession(c, db).id)));
  app.put("/:id/brand", async (c) => {
    const session = requireOwnedSession(c, db);
    const { brandId } = await readJson(c, sessionBrandBody);
    const id = brandId === null ? null : requireUuid(brandId, "brand");
    if (id !== null && !getBrand(db, id)) throw new ApiError(404, "not_found", "brand profile not found");
    setSessionBrand(db, session.id, id);
    return c.json(current(session.id));
  });
  return app;
}

function requireAdmin(c: Context<AppEnv>): void {
  if (!c.get("isAdmin"))
    throw new ApiError(403, "forbidden", "only administrators (ADMIN_USERS) can change brand profiles");
}

function toLogo(logo: z.output<typeof logoSchema>): BrandLogo {
  return { mimeType: logo.mimeType, data: Buffer.from(logo.data, "base64") };
}
