/** Stable error codes and their HTTP status: the one table clients and docs rely on. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  CSRF_TOKEN_INVALID: 403,
  INSUFFICIENT_SCOPE: 403,
  TICKET_READ_ONLY: 403,
  NOT_FOUND: 404,
  TICKET_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  ORGANIZATION_NOT_FOUND: 404,
  GROUP_NOT_FOUND: 404,
  ATTACHMENT_NOT_FOUND: 404,
  TOKEN_NOT_FOUND: 404,
  VERSION_CONFLICT: 409,
  ALREADY_EXISTS: 409,
  IN_USE: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INVALID_TRANSITION: 422,
  INVALID_REFERENCE: 422,
  INVALID_FIELD_VALUE: 422,
  REQUIRED_ON_SOLVE: 422,
  TICKET_CLOSED: 422,
  RETRO_NOT_DONE: 422,
  INCIDENT_CLOSED: 422,
  CANNOT_MERGE: 422,
  CANNOT_MERGE_PEOPLE: 422,
  FOLLOWERS_NOT_ALLOWED: 422,
  FOLLOWER_LIMIT: 422,
  REPLY_TOO_LARGE: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  INVALID_TEMPLATE: 422,
  ADDRESS_NOT_SERVED: 422,
  INVALID_EMAIL: 422,
  NOT_RETRYABLE: 422,
  INVALID_CALENDAR: 422,
  INVALID_POLICY: 422,
  CANNOT_ESCALATE: 422,
  INVALID_RULE: 422,
  INVALID_QUERY: 400,
  // Hand-over notes (src/modules/assignment): today's triager or an admin only.
  NOT_TODAYS_TRIAGER: 403,
  ROTA_DAY_SETTLED: 403,
  // Reports (src/modules/reports).
  UNKNOWN_METRIC: 404,
  INVALID_REPORT_QUERY: 400,
  REPORT_TIMEOUT: 503,
  // On-call (src/modules/oncall): schedules, escalation policies, page links.
  SCHEDULE_HAS_NO_MEMBERS: 422,
  UNKNOWN_TIME_ZONE: 422,
  OVERRIDES_OVERLAP: 409,
  POLICY_LOOP: 422,
  PAGE_NOT_FOUND: 404,
  PAGE_ALREADY_RESOLVED: 409,
  PAGE_LINK_INVALID: 404,
  PAGE_LINK_WRONG_PAGE: 403,
  PAGE_LINK_EXPIRED: 410,
  PAGE_LINK_USED: 409,
  PAGE_LINK_PERSON_GONE: 403,
  // The customer portal (src/modules/portal) and satisfaction surveys (src/modules/csat).
  SIGN_IN_LINK_INVALID: 404,
  SIGN_IN_LINK_EXPIRED: 410,
  SIGN_IN_LINK_USED: 409,
  // Password reset links (src/modules/password-reset).
  RESET_LINK_INVALID: 404,
  RESET_LINK_EXPIRED: 410,
  RESET_LINK_USED: 409,
  USER_INACTIVE: 422,
  NO_SUPPORT_ADDRESS: 422,
  NOT_A_SUPERVISOR: 403,
  SUPERVISOR_WITHOUT_ORGANIZATION: 422,
  NOT_AWAITING_CONFIRMATION: 422,
  FIELD_NOT_ON_FORM: 422,
  SURVEY_LINK_INVALID: 404,
  SURVEY_EXPIRED: 410,
  SURVEY_CANCELLED: 409,
  SURVEY_NOT_SENT: 409,
  // Status-page subscriber links and scheduled maintenance (src/modules/incidents).
  STATUS_LINK_INVALID: 404,
  STATUS_LINK_EXPIRED: 410,
  STATUS_LINK_USED: 409,
  MAINTENANCE_OVER: 422,
  // Monitors (src/modules/monitors).
  MONITOR_NOT_FOUND: 404,
  HEARTBEAT_NOT_FOUND: 404,
  MONITOR_PAUSED: 409,
  // Knowledge base (src/modules/kb).
  ARTICLE_NOT_FOUND: 404,
  CATEGORY_NOT_FOUND: 404,
  SECTION_NOT_FOUND: 404,
  KB_FILE_NOT_FOUND: 404,
  RELATED_SELF: 422,
  INVALID_LOCALE: 422,
  REVIEW_REQUIRED: 422,
  REVIEW_NOTHING_TO_REVIEW: 409,
  REVIEW_NOT_REQUESTED: 409,
  REVIEW_STALE: 409,
  REVIEW_BY_SUBMITTER: 403,
  TRANSLATION_NOT_FOUND: 404,
  TRANSLATION_VERSION_NOT_FOUND: 404,
  LOCALE_NOT_ENABLED: 422,
  LOCALE_IN_USE: 409,
  INVALID_SEARCH: 400,
  RATE_LIMITED: 429,
  TOO_MANY_ATTEMPTS: 429,
  TOO_MANY_STREAMS: 503,
  // Boards and time (src/modules/boards).
  BOARD_NOT_FOUND: 404,
  CARD_NOT_FOUND: 404,
  CARD_ARCHIVED: 422,
  CARD_NOT_ON_BOARD: 422,
  CARD_WRONG_ORGANIZATION: 422,
  WIP_LIMIT_REACHED: 422,
  // The portal: the organisation has not let its customers reorder, or the card is not in "New issues".
  REORDER_NOT_ALLOWED: 403,
  COLUMN_NOT_REORDERABLE: 422,
  PERIOD_LOCKED: 422,
  DURATION_OUT_OF_RANGE: 422,
  TIMER_RUNNING: 409,
  TIMER_NOT_RUNNING: 409,
  // The "Report an issue" widget (src/modules/widget).
  WIDGET_SITE_UNKNOWN: 404,
  WIDGET_SITE_DISABLED: 403,
  WIDGET_ORIGIN_REFUSED: 403,
  WIDGET_IDENTITY_INVALID: 401,
  WIDGET_IDENTITY_WRONG_AUDIENCE: 401,
  WIDGET_IDENTITY_EXPIRED: 401,
  WIDGET_EMAIL_IS_STAFF: 422,
  ATTACHMENT_TOO_LARGE: 413,
  ATTACHMENT_TYPE_REFUSED: 415,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export type FieldError = { path: string; message: string };

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields: FieldError[];
  /** Extra members for the problem document (e.g. the current ticket on a 409). */
  readonly extra: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { fields?: FieldError[]; extra?: Record<string, unknown> } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.fields = options.fields ?? [];
    this.extra = options.extra ?? {};
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function notFound(what: 'ticket' | 'user' | 'organization' | 'group' | 'attachment' | 'token', id: string): AppError {
  const code = `${what.toUpperCase()}_NOT_FOUND` as ErrorCode;
  return new AppError(code, `No ${what} with id ${id}`);
}

/**
 * Whether a PostgreSQL error with this SQLSTATE is anywhere along the error's cause chain. Drizzle wraps the driver's
 * error in `cause`, and the two drivers (pg, PGlite) differ in how deep, so the code is never only on the top error.
 */
export function hasPgCode(err: unknown, sqlstate: string): boolean {
  for (let e = err; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === sqlstate) return true;
  }
  return false;
}

/** Postgres unique_violation (23505). */
export const isUniqueViolation = (err: unknown): boolean => hasPgCode(err, '23505');
/** A statement ended by statement_timeout or a cancel (57014). */
export const isQueryCanceled = (err: unknown): boolean => hasPgCode(err, '57014');
/** A lock not granted within lock_timeout (55P03). */
export const isLockTimeout = (err: unknown): boolean => hasPgCode(err, '55P03');

/** The column of a Postgres foreign_key_violation (e.g. `group_id`), or null for any other error. */
export function foreignKeyColumn(err: unknown): string | null {
  for (let e = err; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    const { code, detail } = e as { code?: string; detail?: string };
    if (code === '23503') return /Key \((\w+)\)=/.exec(detail ?? '')?.[1] ?? 'unknown';
  }
  return null;
}

/** Runs the write of a named thing; a unique violation (the name is taken) becomes ALREADY_EXISTS, saying so. */
export async function uniquelyNamed<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `${what} exists`);
    throw err;
  }
}
