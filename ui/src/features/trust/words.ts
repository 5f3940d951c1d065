// Words for the Keys view: an AWS CloudTrail key list as a compliance officer reads it.
// Pure: no DOM, no IPC; the count is the shell's (the engine read every key).
import type { AwsKeyListDto } from "../../bindings/AwsKeyListDto";
import { formatCount } from "../../format/count";

/** "AWS CloudTrail keys (3 keys) from us-east-1-keys.json". */
export function awsKeyListTitle(list: AwsKeyListDto): string {
  const keys = `${formatCount(list.n_keys)} key${list.n_keys === 1 ? "" : "s"}`;
  return `AWS CloudTrail keys (${keys}) from ${list.name}`;
}
