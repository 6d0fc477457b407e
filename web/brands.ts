import { errorText, request } from "./api.js";
import { h, replace } from "./dom.js";

export interface Brand {
  id: string;
  name: string;
  colors: string[];
  fonts: string[];
  voice: string;
  logoUrl: string | null;
  createdBy: string;
  updatedAt: string;
}

interface LogoUpload {
  mimeType: string;
  data: string;
}

export interface BrandsHooks {
  /** The session to set the profile on, created on first use. */
  ensureSession(): Promise<string | undefined>;
  isAdmin(): boolean;
  onError(text: string | null): void;
}

export interface BrandsUi {
  /** The selector (and, for admins, the Manage button) for the composer bar. */
  element: HTMLElement;
  /** Shows the session's chosen profile (none for no session). */
  load(sessionId: string | null): Promise<void>;
}

const enc = encodeURIComponent;

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await request(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/**
 * Brand profiles: any user picks one for the session (its turns then carry the colours, fonts, voice and logo);
 * admins create, edit and delete them in a dialog. The server enforces who may change them (403 otherwise).
 */
export function createBrands(hooks: BrandsHooks): BrandsUi {
  let brands: Brand[] = [];
  let sessionId: string | null = null;
  const select = h("select", { id: "brand-select", "aria-label": "Brand profile" });
  const manage = h(
    "button",
    {
      type: "button",
      class: "small",
      hidden: true,
      "aria-haspopup": "dialog",
      onclick: () => void openManager(),
    },
    "Brands…",
  );
  const element = h(
    "span",
    { class: "brand-picker" },
    h("label", { for: "brand-select", "aria-hidden": "true" }, "Brand"),
    select,
    manage,
  );

  const list = h("ul", { class: "brand-list", "aria-label": "Brand profiles" });
  const note = h("p", { class: "hint", role: "status", "aria-live": "polite" });
  const form = brandForm();
  const dialog = h(
    "dialog",
    { class: "brand-dialog", "aria-labelledby": "brand-dialog-title" },
    h(
      "div",
      { class: "dialog-head" },
      h("h2", { id: "brand-dialog-title" }, "Brand profiles"),
      h("button", { type: "button", class: "small", onclick: () => dialog.close() }, "Close"),
    ),
    list,
    form.element,
    note,
  );
  document.body.append(dialog);

  function renderSelect(chosen: string | null): void {
    replace(
      select,
      h("option", { value: "" }, "No brand"),
      ...brands.map((brand) => h("option", { value: brand.id }, brand.name)),
    );
    select.value = chosen ?? "";
    manage.hidden = !hooks.isAdmin();
  }

  async function refresh(): Promise<void> {
    brands = (await call<{ brands: Brand[] }>("GET", "/api/brands")).brands;
  }

  select.addEventListener("change", () => {
    // Read before awaiting: opening a new session re-renders the selector.
    const brandId = select.value || null;
    void (async () => {
      try {
        const id = await hooks.ensureSession();
        if (!id) return;
        await call("PUT", `/api/sessions/${enc(id)}/brand`, { brandId });
        if (sessionId === id) select.value = brandId ?? "";
        hooks.onError(null);
      } catch (error) {
        hooks.onError(`The brand profile was not changed: ${errorText(error)}`);
      }
    })();
  });

  function renderList(): void {
    replace(
      list,
      ...brands.map((brand) =>
        h(
          "li",
          { class: "brand-item" },
          brand.logoUrl ? h("img", { src: brand.logoUrl, alt: "", width: 32, height: 32 }) : null,
          h("span", { class: "brand-name" }, brand.name),
          h(
            "span",
            { class: "swatches", "aria-label": `Colours: ${brand.colors.join(", ") || "none"}` },
            ...brand.colors.map((color) => swatch(color)),
          ),
          h(
            "button",
            { type: "button", class: "small", onclick: () => form.edit(brand) },
            `Edit ${brand.name}`,
          ),
          h(
            "button",
            { type: "button", class: "small danger", onclick: (event: Event) => void remove(brand, event) },
            `Delete ${brand.name}`,
          ),
        ),
      ),
    );
    if (brands.length === 0) list.append(h("li", { class: "empty" }, "No brand profiles yet."));
  }

  async function openManager(): Promise<void> {
    note.textContent = "";
    form.edit(null);
    dialog.showModal();
    try {
      await refresh();
      renderList();
    } catch (error) {
      note.textContent = errorText(error);
    }
  }

  /** Two steps, no blocking dialog: the first click asks, the second deletes. */
  async function remove(brand: Brand, event: Event): Promise<void> {
    const button = event.currentTarget as HTMLButtonElement;
    if (button.dataset.confirm !== "yes") {
      button.dataset.confirm = "yes";
      button.textContent = `Really delete ${brand.name}?`;
      note.textContent = "Documents made with this profile stay as they are.";
      return;
    }
    await saved(() => call("DELETE", `/api/brands/${enc(brand.id)}`), `Deleted "${brand.name}".`);
  }

  async function saved(action: () => Promise<unknown>, done: string): Promise<void> {
    try {
      await action();
      await refresh();
      renderList();
      renderSelect(select.value && brands.some((b) => b.id === select.value) ? select.value : null);
      form.edit(null);
      note.textContent = done;
    } catch (error) {
      note.textContent = errorText(error);
    }
  }

  form.onSubmit = (id, body) =>
    saved(
      () => (id ? call("PATCH", `/api/brands/${enc(id)}`, body) : call("POST", "/api/brands", body)),
      id ? `Saved "${String(body.name)}".` : `Created "${String(body.name)}".`,
    );

  return {
    element,
    async load(id) {
      sessionId = id;
      try {
        await refresh();
        const chosen = id
          ? (await call<{ brand: Brand | null }>("GET", `/api/sessions/${enc(id)}/brand`)).brand
          : null;
        if (sessionId === id) renderSelect(chosen?.id ?? null);
      } catch (error) {
        hooks.onError(`Brand profiles could not be loaded: ${errorText(error)}`);
      }
    },
  };
}

function swatch(color: string): HTMLElement {
  const chip = h("span", { class: "swatch", title: color });
  chip.style.background = color;
  return chip;
}

function splitList(text: string): string[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function readLogo(file: File): Promise<LogoUpload> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve({ mimeType: file.type, data: url.slice(url.indexOf(",") + 1) });
    };
    reader.onerror = () => reject(new Error("the logo file could not be read"));
    reader.readAsDataURL(file);
  });
}

/** The create/edit form: the same fields for both, a logo file only replaces the stored one when chosen. */
function brandForm() {
  const title = h("h3", {}, "New brand profile");
  const name = h("input", { id: "brand-name", type: "text", required: true, maxlength: 80 });
  const colors = h("input", { id: "brand-colors", type: "text", placeholder: "#0b3d91, #f2a900" });
  const fonts = h("input", { id: "brand-fonts", type: "text", placeholder: "Georgia, Inter" });
  const voice = h("textarea", { id: "brand-voice", rows: 3, maxlength: 2000 });
  const logo = h("input", {
    id: "brand-logo",
    type: "file",
    accept: "image/png,image/jpeg,image/webp,image/gif",
  });
  const removeLogo = h("input", { id: "brand-remove-logo", type: "checkbox" });
  const removeRow = h("label", { class: "inline", hidden: true }, removeLogo, " Remove the logo");
  const cancel = h("button", { type: "button", class: "small", hidden: true }, "Cancel edit");
  const field = (id: string, text: string, control: HTMLElement) =>
    h("div", { class: "field" }, h("label", { for: id }, text), control);
  const element = h(
    "form",
    { class: "brand-form", "aria-labelledby": "brand-form-title" },
    title,
    field("brand-name", "Name", name),
    field("brand-colors", "Colours (hex, comma-separated)", colors),
    field("brand-fonts", "Fonts (comma-separated)", fonts),
    field("brand-voice", "Voice notes", voice),
    field("brand-logo", "Logo image (PNG, JPEG, WebP or GIF)", logo),
    removeRow,
    h(
      "div",
      { class: "form-actions" },
      cancel,
      h("button", { type: "submit", class: "primary" }, "Save profile"),
    ),
  );
  title.id = "brand-form-title";
  let editing: string | null = null;
  const api = {
    element,
    onSubmit: (_id: string | null, _body: Record<string, unknown>): Promise<void> => Promise.resolve(),
    edit(brand: Brand | null) {
      editing = brand?.id ?? null;
      title.textContent = brand ? `Edit "${brand.name}"` : "New brand profile";
      name.value = brand?.name ?? "";
      colors.value = brand?.colors.join(", ") ?? "";
      fonts.value = brand?.fonts.join(", ") ?? "";
      voice.value = brand?.voice ?? "";
      logo.value = "";
      removeLogo.checked = false;
      removeRow.hidden = !brand?.logoUrl;
      cancel.hidden = !brand;
    },
  };
  cancel.addEventListener("click", () => api.edit(null));
  element.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      const file = logo.files?.[0];
      const body: Record<string, unknown> = {
        name: name.value,
        colors: splitList(colors.value),
        fonts: splitList(fonts.value),
        voice: voice.value,
      };
      if (file) body.logo = await readLogo(file);
      else if (editing && removeLogo.checked) body.logo = null;
      await api.onSubmit(editing, body);
    })();
  });
  return api;
}
