/** The MailerLite fake: start it, point a client at `url`, drive it through the handle. */
export { startFakeMailerLite } from './server.ts';
export type {
  AccountSeed,
  AccountView,
  FakeMailerLite,
  FakeOptions,
  FaultSpec,
  FieldJson,
  GroupJson,
  SubscriberJson,
  LoggedItem,
  LoggedRequest,
  StartFakeOptions,
  SubscriberSeed,
} from './server.ts';
export { defaultFakeOptions } from './options.ts';
