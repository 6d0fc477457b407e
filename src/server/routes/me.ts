import { Hono } from "hono";
import type { AppEnv } from "../types.js";

/** `GET /api/me`: who the server believes the caller is (see the identity middleware). */
export function meRoutes() {
  return new Hono<AppEnv>().get("/", (c) => c.json({ user: c.get("user"), isAdmin: c.get("isAdmin") }));
}
