// The title of one stream of a bundle in the verification panel: a hash chain of an
// audit bundle ("Chain orders: verified, 1,204 events (seq 1–1,204)"), or the file a
// mapping read ("File orders.csv: unverifiable, 30 events (records 1–30)"), which has
// no chain, or a CloudTrail digest chain ("Digest chain 123456789012/us-east-1/main:
// verified, 2,000 events"), or an export with no integrity ("Microsoft 365 audit log:
// unverifiable, 400 events"). Pure: no DOM, no IPC; the verdict and counts are the engine's.
import type { ChainDto } from "../../bindings/ChainDto";
import type { SourceKindDto } from "../../bindings/SourceKindDto";
import { formatCount } from "../../format/count";

export function chainTitle(source: SourceKindDto, chain: ChainDto): string {
  const events = `${formatCount(chain.n_events)} event${chain.n_events === 1 ? "" : "s"}`;
  switch (source) {
    case "audit_bundle":
      return `Chain ${chain.chain}: ${chain.verdict}, ${events} (seq ${chain.first_seq}–${chain.last_seq})`;
    case "mapped":
      return `File ${chain.chain}: ${chain.verdict}, ${events} (records ${formatCount(chain.first_seq)}–${formatCount(chain.last_seq)})`;
    case "cloudtrail":
      return `Digest chain ${chain.chain}: ${chain.verdict}, ${events}`;
    default:
      // An export of a system with no integrity of its own: one stream, named by it.
      return `${chain.chain}: ${chain.verdict}, ${events}`;
  }
}
