import { html as htmlLanguage } from "@codemirror/lang-html";
import { EditorState, type Extension } from "@codemirror/state";
import {
  Decoration,
  EditorView,
  lineNumbers,
  MatchDecorator,
  ViewPlugin,
  WidgetType,
  type DecorationSet,
  type ViewUpdate,
} from "@codemirror/view";
import { minimalSetup } from "codemirror";

export interface CodeEditor {
  readonly element: HTMLElement;
  /** Replaces the text (a different version); the editor is clean again. */
  setSource(text: string, editable: boolean): void;
  getSource(): string;
  /** True when the text differs from what setSource gave. */
  isDirty(): boolean;
  focus(): void;
}

/** Embedded images stay in the text but show as a short chip, so megabytes of base64 never reach the screen. */
const DATA_URI = /(data:[a-z0-9.+/-]+;base64,)([A-Za-z0-9+/=]{200,})/gi;

class DataUriWidget extends WidgetType {
  constructor(readonly bytes: number) {
    super();
  }
  override eq(other: DataUriWidget): boolean {
    return other.bytes === this.bytes;
  }
  toDOM(): HTMLElement {
    const chip = document.createElement("span");
    chip.className = "cm-data-uri";
    chip.textContent = `…${Math.round(this.bytes / 1024)} KB image…`;
    return chip;
  }
}

const dataUriMatcher = new MatchDecorator({
  regexp: DATA_URI,
  decorate: (add, from, to, match) => {
    const start = from + (match[1]?.length ?? 0);
    add(start, to, Decoration.replace({ widget: new DataUriWidget(((to - start) * 3) / 4) }));
  },
});

const dataUris = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = dataUriMatcher.createDeco(view);
    }
    update(update: ViewUpdate) {
      this.decorations = dataUriMatcher.updateDeco(update, this.decorations);
    }
  },
  {
    decorations: (plugin) => plugin.decorations,
    // The cursor steps over a shortened image as one unit, so it cannot be half-deleted by accident.
    provide: (plugin) =>
      EditorView.atomicRanges.of((view) => view.plugin(plugin)?.decorations ?? Decoration.none),
  },
);

/**
 * The HTML source as an editor: CodeMirror 6 (no eval, styles through adopted style sheets, so it runs under
 * the page's CSP), HTML highlighting with embedded CSS and JavaScript, line numbers, undo history, wrapping.
 */
export function createCodeEditor(label: string, onChange: () => void): CodeEditor {
  const base: Extension[] = [
    minimalSetup,
    lineNumbers(),
    htmlLanguage(),
    EditorView.lineWrapping,
    dataUris,
    EditorView.contentAttributes.of({ "aria-label": label }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) onChange();
    }),
  ];
  // A fresh state per version: undo never walks back into another version's text.
  const stateFor = (doc: string, canEdit: boolean) =>
    EditorState.create({
      doc,
      extensions: [...base, EditorView.editable.of(canEdit), EditorState.readOnly.of(!canEdit)],
    });
  let original = "";
  const element = document.createElement("div");
  element.className = "code-editor";
  const view = new EditorView({ parent: element, state: stateFor("", false) });

  return {
    element,
    setSource(text, canEdit) {
      original = text;
      view.setState(stateFor(text, canEdit));
    },
    getSource: () => view.state.doc.toString(),
    isDirty: () => view.state.doc.toString() !== original,
    focus: () => view.focus(),
  };
}
