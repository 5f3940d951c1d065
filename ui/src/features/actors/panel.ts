// Placeholder for the actors view, mounted by main.ts; replaced by the real view.
import type { ActorDto } from "../../bindings/ActorDto";
import type { AppContext, ViewHandle } from "../../app/context";
import { el } from "../../components/dom";

export interface ActorsView extends ViewHandle {
  choose(actorId: string): void;
}

export function actorsView(_ctx: AppContext, _actors: ActorDto[]): ActorsView {
  const root = el("section", { className: "view-placeholder", text: "Actors: not built yet." });
  return { root, refresh() {}, choose() {} };
}
