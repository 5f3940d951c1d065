// The actor filter: a select listing every actor of the case (most active first, as
// the shell sends them). Choosing one calls back with its id; it never queries events.
import type { ActorDto } from "../bindings/ActorDto";
import { formatCount } from "../format/count";
import { actorLabel } from "./actor-words";
import { el } from "./dom";

export function actorFilter(actors: ActorDto[], onChange: (actorId: string | null) => void): HTMLElement {
  const select = el("select", { className: "actor-filter", testid: "actor-filter" });
  select.append(el("option", { text: `All actors (${formatCount(actors.length)})` }));
  const all = select.options[0];
  if (all !== undefined) all.value = "";
  for (const actor of actors) {
    const option = el("option", { text: actorLabel(actor), title: actor.actor_id });
    option.value = actor.actor_id;
    select.append(option);
  }
  select.addEventListener("change", () => onChange(select.value === "" ? null : select.value));
  const label = el("label", { className: "filter" }, el("span", { className: "filter-label", text: "Actor" }), select);
  return label;
}
