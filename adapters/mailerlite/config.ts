/** The MailerLite destination's block in a flow file (`destination.mailerlite`), as its config.schema.json describes it. */
export interface MailerLiteDestinationConfig {
  api_key: string;
  base_url?: string;
  timeout_ms?: number;
}
