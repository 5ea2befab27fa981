/** The Flipcause source's block in a flow file (`source.flipcause`), as its config.schema.json describes it. */
export interface FlipcauseSourceConfig {
  org_id: string;
  /** `${env:NAME}` or `${file:path}` reference. */
  signing_secret?: string;
  url_token?: string;
  /** ISO 8601 timestamp; records dated before it are skipped. */
  since: string;
  triggers: string[];
}
