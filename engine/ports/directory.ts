/**
 * What the engine knows of a destination account, in neutral terms: its groups and fields (names
 * as the customer sees them), and a subscriber's state. Ids are strings, whatever the destination.
 */

export type SubscriberStatus = 'active' | 'unsubscribed' | 'unconfirmed' | 'bounced' | 'junk';
/** The status a new subscriber is created with (the flow's `new_status`). */
export type NewStatus = 'active' | 'unconfirmed';
export type FieldValue = string | number | null;

export interface Group {
  id: string;
  name: string;
}

export interface Field {
  id: string;
  name: string;
  key: string;
  type: 'text' | 'number' | 'date';
}

export interface Subscriber {
  id: string;
  email: string;
  status: SubscriberStatus;
  /** Every account field by key (null when unset). */
  fields: Record<string, FieldValue>;
  groups: Group[];
}
