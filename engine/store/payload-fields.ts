/**
 * The field names payload codec 1 (payload-codec.ts) writes as one code each instead of their
 * text: Flipcause's, from its payload schemas and sample deliveries, the most common first.
 * A field's code is its place in this list, plus one.
 *
 * Frozen: a payload stored under codec 1 is read back only with this exact list (its test pins
 * its hash). A name Flipcause adds later is stored as text, which costs bytes, not correctness;
 * a longer list is a new codec version beside this one, never an edit of it.
 */
export const FIELDS_V1: readonly string[] = [
  'webhook_record_id', 'webhook_trigger_type', 'master_activity_auto_id', 'activity_type', 'activity_order_format',
  'transaction_id', 'AD_payment_id', 'AD_master_activity_auto_id', 'AD_transaction_id', 'AD_contact_id',
  'AD_transaction_date', 'AD_transaction_time', 'AD_transaction_day', 'AD_campaign_title', 'AD_campaign_id',
  'PD_individual_or_bussiness', 'PD_first_name', 'PD_last_name', 'PD_email', 'PD_phone_number', 'PD_phone_no_type',
  'PD_country_code', 'PD_address', 'PD_address_line2', 'PD_city', 'PD_state', 'PD_zip', 'PD_country', 'DD_amount',
  'DD_want_to_anonymous', 'DD_fee_by_supporter', 'CF_how_did_you_hear', 'id', 'user_id', 'cause_id', 'transaction_type',
  'total_transaction_amount', 'transaction_tax_deductible_amount', 'fee_by_supporter', 'processing_fee',
  'total_charged_amount', 'payment_method', 'posted_amount', 'net_received', 'campaign_name', 'want_to_anonymous',
  'support_message', 'transaction_date', 'settlement_date', 'associated_activity_IDs', 'custom_field_status',
  'business_organization_name', 'first_name', 'last_name', 'email', 'city', 'state', 'address', 'postal_code', 'country',
  'phone_no_type', 'country_code', 'phone_number', 'individual_or_business', 'contact_id', 'RD_ticket_type',
  'RD_quantity', 'AD_amount', 'IOS_item_name', 'IOS_status', 'VD_shift', 'VD_hours', 'PD_business_name', 'SPD_level',
  'RS_frequency', 'RS_amount', 'business_name', 'title', 'suffix', 'address_line', 'address_line2',
  'phone_country_code', 'created_on', 'ADDED_tag', 'ADDED_CF', 'updated_on', 'REMOVED_tag', 'PD_postal_code',
  'DD_donation_amount', 'campaign_title', 'largest_contribution_amount', 'largest_contribution_date',
];
