/**
 * The mapping a flow gets when it sets none: the contact onto MailerLite's default fields.
 * A street address is not a default field, so it is left to flows that created one.
 */
export const DEFAULT_MAPPING = `{
  "email": contact.email,
  "fields": {
    "name": $titleCase(contact.first_name),
    "last_name": $titleCase(contact.last_name),
    "company": contact.business_name,
    "phone": $phone(contact.phone),
    "city": contact.address.city,
    "state": contact.address.state,
    "z_i_p": contact.address.postal_code,
    "country": contact.address.country
  }
}`;
