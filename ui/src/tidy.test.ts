// Tidiness of the UI sources that a type check cannot see: each view is a folder under
// features/ and never imports another one (what views share lives in components/ or
// app/, and they reach each other through AppContext), and nothing but the frame
// (main.ts) imports from features/. Every import is found by parsing the source with
// the TypeScript compiler: `import … from`, `export … from`, `import "…"` (a view's CSS
// too), `import(…)` and `import("…")` types. (The markup and IPC rules are checked by
// src-tauri's every_source_file_says_what_it_is_for.)
import ts from "typescript";
import { describe, expect, it } from "vitest";

/** Every UI TypeScript file, by its path from the ui/ folder ("/src/features/events/panel.ts"). */
const SOURCES = import.meta.glob<string>("/src/**/*.ts", {
  query: "?raw",
  import: "default",
  eager: true,
});

/** The frame: it mounts the views, so it alone may import from features/. */
const FRAME = "/src/main.ts";

interface ImportRef {
  specifier: string;
  line: number;
}

/** The module specifiers a TypeScript source imports, with their lines. */
function importsOf(path: string, text: string): ImportRef[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: ImportRef[] = [];
  const add = (node: ts.Node | undefined): void => {
    if (node === undefined || !ts.isStringLiteralLike(node)) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ specifier: node.text, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal);
    } else if (ts.isExternalModuleReference(node)) {
      add(node.expression);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Where a specifier imported by `from` lands, as a path from the ui/ folder; null for a
 * package ("vitest", "typescript"). A query or hash ("?raw") is dropped.
 */
function resolveImport(from: string, specifier: string): string | null {
  const bare = specifier.split(/[?#]/)[0] ?? "";
  let parts: string[];
  if (bare === "." || bare === ".." || bare.startsWith("./") || bare.startsWith("../")) {
    parts = from.split("/").slice(0, -1);
  } else if (bare.startsWith("/")) {
    parts = [];
  } else {
    return null;
  }
  for (const segment of bare.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") parts.pop();
    else parts.push(segment);
  }
  return `/${parts.filter((part) => part !== "").join("/")}`;
}

/** The features/ folder a path is in ("events"), "" for features/ itself, undefined outside it. */
function featureOf(path: string): string | undefined {
  if (path === "/src/features") return "";
  if (!path.startsWith("/src/features/")) return undefined;
  const rest = path.slice("/src/features/".length);
  const slash = rest.indexOf("/");
  return slash < 0 ? rest : rest.slice(0, slash);
}

/** Each import of one file that crosses into another feature folder, in words. */
function layeringProblems(path: string, text: string): string[] {
  const own = featureOf(path);
  const problems: string[] = [];
  for (const { specifier, line } of importsOf(path, text)) {
    const target = resolveImport(path, specifier);
    if (target === null) continue;
    const into = featureOf(target);
    if (into === undefined || into === own) continue;
    if (own === undefined && path === FRAME) continue;
    const where = own === undefined ? "a file outside features/" : `features/${own}/`;
    problems.push(`${path}:${line} imports "${specifier}": ${where} may not import from features/${into}`);
  }
  return problems;
}

function problemsWhere(keep: (path: string) => boolean): string[] {
  return Object.entries(SOURCES)
    .filter(([path]) => keep(path))
    .flatMap(([path, text]) => layeringProblems(path, text));
}

describe("feature folders", () => {
  it("sees the UI's sources", () => {
    const paths = Object.keys(SOURCES);
    for (const folder of ["features", "components", "app", "format", "ipc"]) {
      expect(paths.some((path) => path.startsWith(`/src/${folder}/`)), folder).toBe(true);
    }
    expect(paths).toContain("/src/features/events/panel.ts");
    // Read as text, not stubbed: the frame's own imports of the views are found.
    expect(importsOf(FRAME, SOURCES[FRAME] ?? "").map((ref) => ref.specifier)).toContain("./features/events/panel");
  });

  it("never import from another feature folder", () => {
    expect(problemsWhere((path) => featureOf(path) !== undefined)).toEqual([]);
  });

  it("are imported only by the frame: components/, app/, format/, ipc/ never import from features/", () => {
    expect(problemsWhere((path) => featureOf(path) === undefined)).toEqual([]);
  });
});

describe("the layering check itself", () => {
  const sample = [
    '// import { old } from "../events/old";',
    'import { emptyFilter } from "../events/state";',
    'import type { ActorDto } from "../../bindings/ActorDto";',
    'import { topField } from "./moment";',
    'export { renderChanges } from "../diff/changes";',
    'export * from "../trust/words";',
    'import "../actors/actors.css";',
    'const words = "import { x } from \'../events/filters\'";',
    'const later = () => import("../questions/view");',
    'type Row = import("../events/view").Row;',
    'import { el } from "../../components/dom";',
    'import { shown } from "../timeline/view?raw";',
  ].join("\n");

  it("finds every kind of import, and none in comments or strings", () => {
    expect(importsOf("/src/features/timeline/x.ts", sample).map((ref) => ref.specifier)).toEqual([
      "../events/state",
      "../../bindings/ActorDto",
      "./moment",
      "../diff/changes",
      "../trust/words",
      "../actors/actors.css",
      "../questions/view",
      "../events/view",
      "../../components/dom",
      "../timeline/view?raw",
    ]);
  });

  it("names the file, the line and the import that cross into another feature", () => {
    expect(layeringProblems("/src/features/timeline/x.ts", sample)).toEqual([
      '/src/features/timeline/x.ts:2 imports "../events/state": features/timeline/ may not import from features/events',
      '/src/features/timeline/x.ts:5 imports "../diff/changes": features/timeline/ may not import from features/diff',
      '/src/features/timeline/x.ts:6 imports "../trust/words": features/timeline/ may not import from features/trust',
      '/src/features/timeline/x.ts:7 imports "../actors/actors.css": features/timeline/ may not import from features/actors',
      '/src/features/timeline/x.ts:9 imports "../questions/view": features/timeline/ may not import from features/questions',
      '/src/features/timeline/x.ts:10 imports "../events/view": features/timeline/ may not import from features/events',
    ]);
  });

  it("refuses features/ to every file outside it but the frame", () => {
    const text = 'import { emptyFilter } from "../features/events/state";\nimport { all } from "../features";';
    expect(layeringProblems("/src/components/x.ts", text)).toEqual([
      '/src/components/x.ts:1 imports "../features/events/state": a file outside features/ may not import from features/events',
      '/src/components/x.ts:2 imports "../features": a file outside features/ may not import from features/',
    ]);
    expect(layeringProblems("/src/app/x.ts", 'export * from "/src/features/trust/view";')).toHaveLength(1);
    expect(layeringProblems(FRAME, 'import { eventsView } from "./features/events/panel";')).toEqual([]);
  });

  it("resolves paths the way the bundler does", () => {
    expect(resolveImport("/src/features/a/b.ts", "../c/d")).toBe("/src/features/c/d");
    expect(resolveImport("/src/features/a/b.ts", "./../../features/c")).toBe("/src/features/c");
    expect(resolveImport("/src/features/a/b.ts", "/src/features/c/d.css?inline")).toBe("/src/features/c/d.css");
    expect(resolveImport("/src/features/a/b.ts", "vitest")).toBeNull();
    expect(featureOf("/src/features/a/b.ts")).toBe("a");
    expect(featureOf("/src/featuresque/b.ts")).toBeUndefined();
  });
});
