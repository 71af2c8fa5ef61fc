// Types for what firstparty.js puts on the page: window.firstParty and its firstparty:change and
// firstparty:navigate events.
// For editors and for apps that call the API from TypeScript (copy this file or reference it); it
// describes the script, it is not compiled into it.

/**
 * The consent state. Before the first decision on the page only `decided`, `categories` and
 * `services` are present (from the server-rendered fp-config); after a decision it is the consent
 * endpoint's full JSON answer.
 */
interface FirstPartyState {
  /** True once the person has chosen (or the regime decided for them). */
  decided: boolean;
  /** Each category key ("analytics", "marketing", ...) and whether it is granted. */
  categories: Record<string, boolean>;
  /** Each declared service key ("analytics/clarity") and whether it is granted. */
  services: Record<string, boolean>;
  consentId?: string | null;
  /** The Consent:Revision the decision was made under. */
  revision?: number;
  regime?: 'OptIn' | 'OptOut' | 'Implied';
  region?: string | null;
  /** Whether the request carried Global Privacy Control. */
  gpc?: boolean;
  /** ISO 8601, UTC. */
  decidedAt?: string | null;
  /** ISO 8601, UTC. */
  expiresAt?: string | null;
  /** How the decision was made: accept-all, reject-all, custom, withdraw, api or gpc. */
  source?: string | null;
  visitor?: { id: string; sessionId: string | null; sessionIndex: number; newSession: boolean } | null;
}

interface FirstPartyApi {
  /**
   * Does what a fresh load would for a page updated in place (Blazor's enhanced navigation calls it
   * by itself): takes the state from the server's fp-config when new HTML replaced it (an unchanged
   * one is older than choices made on the page, so the current state stays), revives what it grants,
   * and raises firstparty:navigate when the address changed since the page was last shown.
   */
  refresh(): void;
  /** A copy of the current state. */
  getState(): FirstPartyState;
  /**
   * Whether a category ("analytics") or a service ("analytics/snowplow") is granted now; a service
   * the server does not declare follows its category.
   */
  isGranted(key: string): boolean;
  /**
   * Opens the preferences (fetching the server's banner when the page has none) and moves focus into
   * them; resolves false when they could not be shown. Focus returns to the active element on close.
   */
  openPreferences(): Promise<boolean>;
  /** Grants every optional category. */
  accept(): Promise<FirstPartyState>;
  /** Refuses every optional category. */
  reject(): Promise<FirstPartyState>;
  /**
   * Grants exactly these keys and refuses the rest: category keys ("analytics") and service keys
   * ("marketing/youtube", containing a slash).
   */
  save(keys: string[]): Promise<FirstPartyState>;
  /** Withdraws consent: every optional category is refused and its cookies deleted. */
  withdraw(): Promise<FirstPartyState>;
  /** Calls the listener with the new state after every change; returns a function that unsubscribes. */
  subscribe(listener: (state: FirstPartyState) => void): () => void;
}

interface Window {
  /** Present once firstparty.js has run on a page with the server's fp-config. */
  firstParty?: FirstPartyApi;
}

interface DocumentEventMap {
  /** Raised on document after every saved choice, with the new state. */
  'firstparty:change': CustomEvent<FirstPartyState>;
  /**
   * Raised on document when an update in place (Blazor's enhanced navigation or form handling) shows
   * the page at a new address: a page view for trackers that only track one on a full load.
   */
  'firstparty:navigate': CustomEvent<{ url: string; referrer: string }>;
}
