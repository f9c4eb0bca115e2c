// Generated from the OpenAPI document by `npm run build:api-types`; do not edit.

export type ConditionInput = { all: ConditionInput[] } | { any: ConditionInput[] } | { not: ConditionInput } | { field: string; op: string; value?: unknown };

export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | { field: string; op: string; value?: unknown };

export interface Paths {
  "/api/v1/admin/jobs": {
    get: { path: never; query: { status?: "dead" | "queued" | "running"; limit?: number; cursor?: string }; body: never; response: { items: ({ id: number; kind: string; status: "dead" | "queued" | "running" | "done"; payload: unknown; attempts: number; maxAttempts: number; lastError: string | null; runAt: string; createdAt: string; finishedAt: string | null })[]; nextCursor: string | null } };
  };
  "/api/v1/admin/jobs/{id}/retry": {
    post: { path: { id: number }; query: never; body: never; response: { id: number; kind: string; status: "dead" | "queued" | "running" | "done"; payload: unknown; attempts: number; maxAttempts: number; lastError: string | null; runAt: string; createdAt: string; finishedAt: string | null } };
  };
  "/api/v1/attachments": {
    post: { path: never; query: { filename: string }; body: never; response: { id: string; filename: string; contentType: string; size: number; sha256: string } };
  };
  "/api/v1/attachments/{id}": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/automations": {
    get: { path: never; query: never; body: never; response: { items: ({ id: string; name: string; position: number; active: boolean; calendarId: string | null; condition: Condition; actions: (({ type: "set"; field: "status" | "priority" | "type" | "group" | "assignee"; value: string | null }) | ({ type: "add_tags" | "remove_tags"; tags: string[] }) | ({ type: "note" | "reply"; body: string }) | ({ type: "escalate"; urgency: "low" | "medium" | "high" | "critical"; toGroupId?: string }) | ({ type: "email"; to: ("requester" | "assignee" | "group") | string; subject: string; body: string }) | { type: "webhook"; webhookId: string } | { type: "page"; policyId: string } | { type: "declare_incident"; severity?: string })[]; createdAt: string; updatedAt: string })[] } };
    post: { path: never; query: never; body: { name: string; position?: number; active?: boolean; condition: ConditionInput; actions: (({ type: "set"; field: "status" | "priority" | "type" | "group" | "assignee"; value: string | null }) | ({ type: "add_tags" | "remove_tags"; tags: string[] }) | ({ type: "note" | "reply"; body: string }) | ({ type: "escalate"; urgency: "low" | "medium" | "high" | "critical"; toGroupId?: string }) | ({ type: "email"; to: ("requester" | "assignee" | "group") | string; subject: string; body: string }) | { type: "webhook"; webhookId: string } | { type: "page"; policyId: string } | { type: "declare_incident"; severity?: string })[]; calendarId?: string | null }; response: { id: string; name: string; position: number; active: boolean; calendarId: string | null; condition: Condition; actions: (({ type: "set"; field: "status" | "priority" | "type" | "group" | "assignee"; value: string | null }) | ({ type: "add_tags" | "remove_tags"; tags: string[] }) | ({ type: "note" | "reply"; body: string }) | ({ type: "escalate"; urgency: "low" | "medium" | "high" | "critical"; toGroupId?: string }) | ({ type: "email"; to: ("requester" | "assignee" | "group") | string; subject: string; body: string }) | { type: "webhook"; webhookId: string } | { type: "page"; policyId: string } | { type: "declare_incident"; severity?: string })[]; createdAt: string; updatedAt: string } };
  };
  "/api/v1/automations/{id}": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
    patch: { path: { id: string }; query: never; body: { name?: string; position?: number; active?: boolean; condition?: ConditionInput; actions?: (({ type: "set"; field: "status" | "priority" | "type" | "group" | "assignee"; value: string | null }) | ({ type: "add_tags" | "remove_tags"; tags: string[] }) | ({ type: "note" | "reply"; body: string }) | ({ type: "escalate"; urgency: "low" | "medium" | "high" | "critical"; toGroupId?: string }) | ({ type: "email"; to: ("requester" | "assignee" | "group") | string; subject: string; body: string }) | { type: "webhook"; webhookId: string } | { type: "page"; policyId: string } | { type: "declare_incident"; severity?: string })[]; calendarId?: string | null }; response: { id: string; name: string; position: number; active: boolean; calendarId: string | null; condition: Condition; actions: (({ type: "set"; field: "status" | "priority" | "type" | "group" | "assignee"; value: string | null }) | ({ type: "add_tags" | "remove_tags"; tags: string[] }) | ({ type: "note" | "reply"; body: string }) | ({ type: "escalate"; urgency: "low" | "medium" | "high" | "critical"; toGroupId?: string }) | ({ type: "email"; to: ("requester" | "assignee" | "group") | string; subject: string; body: string }) | { type: "webhook"; webhookId: string } | { type: "page"; policyId: string } | { type: "declare_incident"; severity?: string })[]; createdAt: string; updatedAt: string } };
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/automations/sweep": {
    post: { path: never; query: never; body: never; response: unknown };
  };
  "/api/v1/board-columns/{id}": {
    patch: { path: { id: string }; query: never; body: { name: string; wipLimit: number | null; wipMode: "refuse" | "warn"; stateKey: string | null }; response: { id: string; boardId: string; name: string; position: number; role: "new" | "up_next" | "in_progress" | "done" | null; stateKey: string | null; wipLimit: number | null; wipMode: "refuse" | "warn" } };
  };
  "/api/v1/board-settings": {
    get: { path: never; query: never; body: never; response: { backlogStateKey: string | null; archiveAfterDays: number } };
    put: { path: never; query: never; body: { backlogStateKey: string | null; archiveAfterDays: number }; response: { backlogStateKey: string | null; archiveAfterDays: number } };
  };
  "/api/v1/boards": {
    get: { path: never; query: never; body: never; response: { items: ({ id: string; kind: "customer" | "epics"; organizationId: string | null; name: string; customersReorder: boolean; cardCount: number })[] } };
  };
  "/api/v1/boards/{id}": {
    get: { path: { id: string }; query: never; body: never; response: { board: { id: string; kind: "customer" | "epics"; organizationId: string | null; name: string; customersReorder: boolean }; columns: ({ id: string; boardId: string; name: string; position: number; role: "new" | "up_next" | "in_progress" | "done" | null; stateKey: string | null; wipLimit: number | null; wipMode: "refuse" | "warn" })[]; cards: ({ id: string; boardId: string; columnId: string; role: "new" | "up_next" | "in_progress" | "done" | null; position: number; epicsPosition: number; onEpics: boolean; organizationId: string | null; ticketId: string | null; ticketNumber: number | null; title: string; ownerIds: string[]; dueOn: string | null; estimateHours: number | null; labels: string[]; week: string | null; triage: boolean; checklistDone: number; checklistTotal: number; completedAt: string | null; version: number })[]; people: { id: string; name: string }[]; organizations: { id: string; name: string }[] } };
    patch: { path: { id: string }; query: never; body: { customersReorder: boolean }; response: { id: string; kind: "customer" | "epics"; organizationId: string | null; name: string; customersReorder: boolean } };
  };
  "/api/v1/boards/{id}/cards": {
    post: { path: { id: string }; query: never; body: { ticketId?: string; title?: string; description?: string; checklist?: { text: string; done?: boolean }[]; ownerIds?: string[]; dueOn?: string | null; estimateHours?: number | null; labels?: string[]; columnId?: string }; response: { id: string; boardId: string; columnId: string; role: "new" | "up_next" | "in_progress" | "done" | null; position: number; epicsPosition: number; onEpics: boolean; organizationId: string | null; ticketId: string | null; ticketNumber: number | null; title: string; description: string; checklist: { text: string; done: boolean }[]; ownerIds: string[]; dueOn: string | null; estimateHours: number | null; labels: string[]; week: string | null; triage: boolean; checklistDone: number; checklistTotal: number; completedAt: string | null; archivedAt: string | null; version: number; updatedAt: string } };
  };
  "/api/v1/boards/{id}/stream": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/boards/epics": {
    get: { path: never; query: never; body: never; response: { board: { id: string; kind: "customer" | "epics"; organizationId: string | null; name: string; customersReorder: boolean }; columns: ({ id: string; boardId: string; name: string; position: number; role: "new" | "up_next" | "in_progress" | "done" | null; stateKey: string | null; wipLimit: number | null; wipMode: "refuse" | "warn" })[]; cards: ({ id: string; boardId: string; columnId: string; role: "new" | "up_next" | "in_progress" | "done" | null; position: number; epicsPosition: number; onEpics: boolean; organizationId: string | null; ticketId: string | null; ticketNumber: number | null; title: string; ownerIds: string[]; dueOn: string | null; estimateHours: number | null; labels: string[]; week: string | null; triage: boolean; checklistDone: number; checklistTotal: number; completedAt: string | null; version: number })[]; people: { id: string; name: string }[]; organizations: { id: string; name: string }[] } };
  };
  "/api/v1/calendars": {
    get: { path: never; query: never; body: never; response: { items: ({ id: string; name: string; timeZone: string; alwaysOpen: boolean; weekly: { "1"?: { start: string; end: string }[]; "2"?: { start: string; end: string }[]; "3"?: { start: string; end: string }[]; "4"?: { start: string; end: string }[]; "5"?: { start: string; end: string }[]; "6"?: { start: string; end: string }[]; "7"?: { start: string; end: string }[] }; holidays: { date: string; name: string; yearly: boolean }[]; holidayRegion: { country: string; state?: string | null } | null; createdAt: string; updatedAt: string })[] } };
    post: { path: never; query: never; body: { name: string; timeZone: string; alwaysOpen?: boolean; weekly?: { "1"?: { start: string; end: string }[]; "2"?: { start: string; end: string }[]; "3"?: { start: string; end: string }[]; "4"?: { start: string; end: string }[]; "5"?: { start: string; end: string }[]; "6"?: { start: string; end: string }[]; "7"?: { start: string; end: string }[] }; holidays?: { date: string; name: string; yearly?: boolean }[]; holidayRegion?: { country: string; state?: string | null } | null }; response: { id: string; name: string; timeZone: string; alwaysOpen: boolean; weekly: { "1"?: { start: string; end: string }[]; "2"?: { start: string; end: string }[]; "3"?: { start: string; end: string }[]; "4"?: { start: string; end: string }[]; "5"?: { start: string; end: string }[]; "6"?: { start: string; end: string }[]; "7"?: { start: string; end: string }[] }; holidays: { date: string; name: string; yearly: boolean }[]; holidayRegion: { country: string; state?: string | null } | null; createdAt: string; updatedAt: string } };
  };
  "/api/v1/calendars/{id}": {
    get: { path: { id: string }; query: never; body: never; response: { id: string; name: string; timeZone: string; alwaysOpen: boolean; weekly: { "1"?: { start: string; end: string }[]; "2"?: { start: string; end: string }[]; "3"?: { start: string; end: string }[]; "4"?: { start: string; end: string }[]; "5"?: { start: string; end: string }[]; "6"?: { start: string; end: string }[]; "7"?: { start: string; end: string }[] }; holidays: { date: string; name: string; yearly: boolean }[]; holidayRegion: { country: string; state?: string | null } | null; createdAt: string; updatedAt: string } };
    patch: { path: { id: string }; query: never; body: { name?: string; timeZone?: string; alwaysOpen?: boolean; weekly?: { "1"?: { start: string; end: string }[]; "2"?: { start: string; end: string }[]; "3"?: { start: string; end: string }[]; "4"?: { start: string; end: string }[]; "5"?: { start: string; end: string }[]; "6"?: { start: string; end: string }[]; "7"?: { start: string; end: string }[] }; holidays?: { date: string; name: string; yearly?: boolean }[]; holidayRegion?: { country: string; state?: string | null } | null }; response: { id: string; name: string; timeZone: string; alwaysOpen: boolean; weekly: { "1"?: { start: string; end: string }[]; "2"?: { start: string; end: string }[]; "3"?: { start: string; end: string }[]; "4"?: { start: string; end: string }[]; "5"?: { start: string; end: string }[]; "6"?: { start: string; end: string }[]; "7"?: { start: string; end: string }[] }; holidays: { date: string; name: string; yearly: boolean }[]; holidayRegion: { country: string; state?: string | null } | null; createdAt: string; updatedAt: string } };
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/calendars/{id}/due": {
    get: { path: { id: string }; query: { start: string; minutes?: number; seconds?: number }; body: never; response: { due: string; start: string; minutes: number; seconds: number; timeZone: string } };
  };
  "/api/v1/calendars/{id}/holidays": {
    get: { path: { id: string }; query: { year: number }; body: never; response: unknown };
  };
  "/api/v1/cards/{id}": {
    get: { path: { id: string }; query: never; body: never; response: { id: string; boardId: string; columnId: string; role: "new" | "up_next" | "in_progress" | "done" | null; position: number; epicsPosition: number; onEpics: boolean; organizationId: string | null; ticketId: string | null; ticketNumber: number | null; title: string; description: string; checklist: { text: string; done: boolean }[]; ownerIds: string[]; dueOn: string | null; estimateHours: number | null; labels: string[]; week: string | null; triage: boolean; checklistDone: number; checklistTotal: number; completedAt: string | null; archivedAt: string | null; version: number; updatedAt: string } };
    patch: { path: { id: string }; query: never; body: { version: number; title?: string; description?: string; checklist?: { text: string; done?: boolean }[]; ownerIds?: string[]; dueOn?: string | null; estimateHours?: number | null; labels?: string[]; week?: string | null; triage?: boolean }; response: { id: string; boardId: string; columnId: string; role: "new" | "up_next" | "in_progress" | "done" | null; position: number; epicsPosition: number; onEpics: boolean; organizationId: string | null; ticketId: string | null; ticketNumber: number | null; title: string; description: string; checklist: { text: string; done: boolean }[]; ownerIds: string[]; dueOn: string | null; estimateHours: number | null; labels: string[]; week: string | null; triage: boolean; checklistDone: number; checklistTotal: number; completedAt: string | null; archivedAt: string | null; version: number; updatedAt: string } };
  };
  "/api/v1/cards/{id}/archive": {
    post: { path: { id: string }; query: never; body: { version: number }; response: { id: string; boardId: string; columnId: string; role: "new" | "up_next" | "in_progress" | "done" | null; position: number; epicsPosition: number; onEpics: boolean; organizationId: string | null; ticketId: string | null; ticketNumber: number | null; title: string; description: string; checklist: { text: string; done: boolean }[]; ownerIds: string[]; dueOn: string | null; estimateHours: number | null; labels: string[]; week: string | null; triage: boolean; checklistDone: number; checklistTotal: number; completedAt: string | null; archivedAt: string | null; version: number; updatedAt: string } };
  };
  "/api/v1/cards/{id}/comments": {
    get: { path: { id: string }; query: never; body: never; response: { source: "ticket" | "card"; items: ({ id: string; body: string; kind: "note" | "reply" | "customer" | "comment"; author: { id: string; name: string } | null; createdAt: string })[] } };
    post: { path: { id: string }; query: never; body: { body: string; public?: boolean }; response: { source: "ticket" | "card"; items: ({ id: string; body: string; kind: "note" | "reply" | "customer" | "comment"; author: { id: string; name: string } | null; createdAt: string })[] } };
  };
  "/api/v1/cards/{id}/move": {
    post: { path: { id: string }; query: never; body: { boardId: string; columnId: string; index: number; version: number }; response: { card: { id: string; boardId: string; columnId: string; role: "new" | "up_next" | "in_progress" | "done" | null; position: number; epicsPosition: number; onEpics: boolean; organizationId: string | null; ticketId: string | null; ticketNumber: number | null; title: string; description: string; checklist: { text: string; done: boolean }[]; ownerIds: string[]; dueOn: string | null; estimateHours: number | null; labels: string[]; week: string | null; triage: boolean; checklistDone: number; checklistTotal: number; completedAt: string | null; archivedAt: string | null; version: number; updatedAt: string }; warnings: string[] } };
  };
  "/api/v1/cards/{id}/time": {
    get: { path: { id: string }; query: never; body: never; response: { items: ({ id: string; userId: string; organizationId: string | null; ticketId: string | null; ticketNumber: number | null; cardId: string | null; workDate: string; minutes: number; description: string; billable: boolean; createdAt: string })[]; totalMinutes: number; people: { id: string; name: string }[]; organizations: { id: string; name: string }[] } };
  };
  "/api/v1/channels/connections": {
    get: { path: never; query: never; body: never; response: { items: ({ id: string; kind: "imap" | "slack" | "github" | "widget"; name: string; status: "active" | "failed" | "disabled"; syncState: "connected" | "idle"; lastSuccessAt: string | null; lastError: string | null; lastErrorAt: string | null; failureCount: number; createdAt: string; updatedAt: string })[] } };
  };
  "/api/v1/component-paging": {
    get: { path: never; query: never; body: never; response: { items: { componentId: string; policyId: string }[] } };
  };
  "/api/v1/component-paging/{id}": {
    put: { path: { id: string }; query: never; body: { policyId: string | null }; response: unknown };
  };
  "/api/v1/conditions/matches": {
    post: { path: never; query: never; body: { condition: ConditionInput }; response: { count: number | null; capped: boolean; timedOut: boolean; cap: number } };
  };
  "/api/v1/csat/opt-out": {
    post: { path: never; query: never; body: { token: string }; response: unknown };
  };
  "/api/v1/csat/report": {
    get: { path: never; query: { days?: number }; body: never; response: { days: number; sent: number; answered: number; good: number; bad: number; satisfaction: number | null; responseRate: number | null; responses: ({ id: string; ticketId: string; ticketNumber: number | null; rating: "good" | "bad"; comment: string | null; reason: string | null; answeredAt: string | null })[] } };
  };
  "/api/v1/csat/settings": {
    get: { path: never; query: never; body: never; response: { delayHours: number; validDays: number; reasons: string[] } };
    put: { path: never; query: never; body: { delayHours: number; validDays: number; reasons: string[] }; response: { delayHours: number; validDays: number; reasons: string[] } };
  };
  "/api/v1/csat/survey": {
    get: { path: never; query: { t: string }; body: never; response: { id: string; ticketNumber: number; subject: string; status: "scheduled" | "sent" | "answered" | "cancelled"; rating: "good" | "bad" | null; comment: string | null; reason: string | null; expiresAt: string | null; reasons: string[] } };
    post: { path: never; query: never; body: { rating: "good" | "bad"; comment?: string; reason?: string; token: string }; response: { id: string; ticketNumber: number; subject: string; status: "scheduled" | "sent" | "answered" | "cancelled"; rating: "good" | "bad" | null; comment: string | null; reason: string | null; expiresAt: string | null; reasons: string[] } };
  };
  "/api/v1/custom-fields": {
    get: { path: never; query: { entity?: "ticket" | "organization" }; body: never; response: { items: ({ id: string; entity: "ticket" | "organization"; key: string; label: string; kind: "text" | "long_text" | "number" | "date" | "dropdown" | "multi_select" | "checkbox"; options: string[]; requiredOnSolve: boolean; position: number; active: boolean })[] } };
    post: { path: never; query: never; body: { entity: "ticket" | "organization"; key: string; label: string; kind: "text" | "long_text" | "number" | "date" | "dropdown" | "multi_select" | "checkbox"; options?: string[]; requiredOnSolve?: boolean; position?: number }; response: unknown };
  };
  "/api/v1/custom-fields/{id}": {
    patch: { path: { id: string }; query: never; body: { label?: string; options?: string[]; requiredOnSolve?: boolean; position?: number; active?: boolean }; response: unknown };
  };
  "/api/v1/email/addresses": {
    get: { path: never; query: never; body: never; response: unknown };
    post: { path: never; query: never; body: { address: string; name: string; groupId?: string | null; type?: string | null; priority?: string | null; autoReply?: boolean; autoReplySubject?: string | null; autoReplyBody?: string | null; selfHelpLinks?: { title: string; url: string }[]; isDefault?: boolean; active?: boolean }; response: unknown };
  };
  "/api/v1/email/addresses/{id}": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
    patch: { path: { id: string }; query: never; body: { address?: string; name?: string; groupId?: string | null; type?: string | null; priority?: string | null; autoReply?: boolean; autoReplySubject?: string | null; autoReplyBody?: string | null; selfHelpLinks?: { title: string; url: string }[]; isDefault?: boolean; active?: boolean }; response: unknown };
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/email/bouncing": {
    get: { path: never; query: never; body: never; response: unknown };
  };
  "/api/v1/email/mailboxes": {
    get: { path: never; query: never; body: never; response: unknown };
    post: { path: never; query: never; body: { addressId: string; host: string; port?: number; secure?: boolean; tlsVerify?: boolean; username: string; password: string; folder?: string; afterStore?: "flag" | "move" | "delete"; moveTo?: string | null; active?: boolean }; response: unknown };
  };
  "/api/v1/email/mailboxes/{id}": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
    patch: { path: { id: string }; query: never; body: { addressId?: string; host?: string; port?: number; secure?: boolean; tlsVerify?: boolean; username?: string; password?: string; folder?: string; afterStore?: "flag" | "move" | "delete"; moveTo?: string | null; active?: boolean }; response: unknown };
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/email/mailboxes/{id}/test": {
    post: { path: { id: string }; query: never; body: never; response: { ok: boolean; message: string; messages: number | null; failure: "dns" | "refused" | "unreachable" | "timeout" | "tls" | "auth" | "folder" | "not_imap" | null } };
  };
  "/api/v1/groups": {
    get: { path: never; query: never; body: never; response: { items: ({ id: string; name: string; description: string; escalatesToId: string | null; createdAt: string; memberIds: string[] })[] } };
    post: { path: never; query: never; body: { name: string; description?: string; escalatesToId?: string | null; memberIds?: string[] }; response: { id: string; name: string; description: string; escalatesToId: string | null; createdAt: string; memberIds: string[] } };
  };
  "/api/v1/groups/{id}": {
    get: { path: { id: string }; query: never; body: never; response: { id: string; name: string; description: string; escalatesToId: string | null; createdAt: string; memberIds: string[] } };
    patch: { path: { id: string }; query: never; body: { name?: string; description?: string; escalatesToId?: string | null; memberIds?: string[] }; response: { id: string; name: string; description: string; escalatesToId: string | null; createdAt: string; memberIds: string[] } };
  };
  "/api/v1/groups/{id}/assignment": {
    get: { path: { id: string }; query: never; body: never; response: { groupId: string; mode: "manual" | "triage" | "round_robin" | "least_open"; timeZone: string; lastUserId: string | null } };
    put: { path: { id: string }; query: never; body: { mode: "manual" | "triage" | "round_robin" | "least_open"; timeZone?: string }; response: { groupId: string; mode: "manual" | "triage" | "round_robin" | "least_open"; timeZone: string; lastUserId: string | null } };
  };
  "/api/v1/groups/{id}/handover": {
    get: { path: { id: string }; query: never; body: never; response: { day: string | null; notes: ({ id: string; groupId: string; day: string; authorId: string | null; body: string; createdAt: string })[] } };
    post: { path: { id: string }; query: never; body: { body: string }; response: { id: string; groupId: string; day: string; authorId: string | null; body: string; createdAt: string } };
  };
  "/api/v1/groups/{id}/rota": {
    get: { path: { id: string }; query: { from: string; to: string }; body: never; response: { items: { day: string; userId: string; name: string }[] } };
    put: { path: { id: string }; query: never; body: { entries: { day: string; userId: string }[] }; response: unknown };
  };
  "/api/v1/groups/{id}/rota/swap": {
    post: { path: { id: string }; query: never; body: { dayA: string; dayB: string }; response: unknown };
  };
  "/api/v1/heartbeats/{token}": {
    get: { path: { token: string }; query: never; body: never; response: { ok: true; nextDeadline: string } };
    post: { path: { token: string }; query: never; body: never; response: { ok: true; nextDeadline: string } };
  };
  "/api/v1/inbound/email": {
    post: { path: never; query: { to?: string; from?: string }; body: never; response: unknown };
  };
  "/api/v1/inbound/emails": {
    get: { path: never; query: { limit?: number; cursor?: string; status?: "received" | "processed" | "ignored" | "failed" }; body: never; response: unknown };
  };
  "/api/v1/inbound/emails/{id}": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/inbound/emails/{id}/raw": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/inbound/emails/{id}/retry": {
    post: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/incident-roles": {
    put: { path: never; query: never; body: { roles: { key: string; name: string; lead?: boolean }[] }; response: { items: { key: string; name: string; position: number; lead: boolean }[] } };
  };
  "/api/v1/incident-settings": {
    get: { path: never; query: never; body: never; response: { settings: { severityLevels: number; cadenceMinutes: number[]; remindBeforeMinutes: number; statusPageTitle: string; webhookIds?: string[]; linkedTicketState?: string | null; originTicketStateOnResolve?: string | null; updateTemplates?: { investigating?: string; identified?: string; monitoring?: string; resolved?: string }; confirmFixOnResolve?: boolean; autoDeclarePriorities?: string[] }; severities: { key: string; name: string; level: number; cadenceMinutes: number }[]; roles: { key: string; name: string; position: number; lead: boolean }[]; templates: { investigating: string; identified: string; monitoring: string; resolved: string } } };
    put: { path: never; query: never; body: { severityLevels: number; cadenceMinutes: number[]; remindBeforeMinutes: number; statusPageTitle: string; webhookIds?: string[]; linkedTicketState?: string | null; originTicketStateOnResolve?: string | null; confirmFixOnResolve?: boolean; autoDeclarePriorities?: string[]; updateTemplates?: { investigating?: string; identified?: string; monitoring?: string; resolved?: string } }; response: { severityLevels: number; cadenceMinutes: number[]; remindBeforeMinutes: number; statusPageTitle: string; webhookIds?: string[]; linkedTicketState?: string | null; originTicketStateOnResolve?: string | null; updateTemplates?: { investigating?: string; identified?: string; monitoring?: string; resolved?: string }; confirmFixOnResolve?: boolean; autoDeclarePriorities?: string[] } };
  };
  "/api/v1/incidents": {
    get: { path: never; query: { active?: "true" | "false" }; body: never; response: { items: ({ id: string; number: number; title: string; publicTitle: string; severity: string; state: "investigating" | "identified" | "monitoring" | "resolved" | "pending_retro" | "closed"; originTicketId: string | null; impact: string; currentTheory: string; nextSteps: string; startedAt: string; detectedAt: string; acknowledgedAt: string | null; mitigatedAt: string | null; resolvedAt: string | null; closedAt: string | null; nextUpdateDueAt: string | null; remindedForDueAt: string | null; lateSince: string | null; declaredById: string | null; version: number; createdAt: string; updatedAt: string; linkedTickets: number; lead: { id: string; name: string } | null })[] } };
    post: { path: never; query: never; body: { title: string; publicTitle?: string; severity: string; originTicketId?: string; components?: ({ id: string; status?: "under_maintenance" | "degraded_performance" | "partial_outage" | "major_outage" })[]; roles?: { [key: string]: string }; impact?: string; startedAt?: string; detectedAt?: string }; response: { id: string; number: number; title: string; publicTitle: string; severity: string; state: "investigating" | "identified" | "monitoring" | "resolved" | "pending_retro" | "closed"; originTicketId: string | null; impact: string; currentTheory: string; nextSteps: string; startedAt: string; detectedAt: string; acknowledgedAt: string | null; mitigatedAt: string | null; resolvedAt: string | null; closedAt: string | null; nextUpdateDueAt: string | null; remindedForDueAt: string | null; lateSince: string | null; declaredById: string | null; version: number; createdAt: string; updatedAt: string } };
  };
  "/api/v1/incidents/{id}": {
    get: { path: { id: string | string }; query: never; body: never; response: { id: string; number: number; title: string; publicTitle: string; severity: string; state: "investigating" | "identified" | "monitoring" | "resolved" | "pending_retro" | "closed"; originTicketId: string | null; impact: string; currentTheory: string; nextSteps: string; startedAt: string; detectedAt: string; acknowledgedAt: string | null; mitigatedAt: string | null; resolvedAt: string | null; closedAt: string | null; nextUpdateDueAt: string | null; remindedForDueAt: string | null; lateSince: string | null; declaredById: string | null; version: number; createdAt: string; updatedAt: string; roles: ({ key: string; name: string; lead: boolean; user: { id: string; name: string } | null })[]; components: ({ id: string; name: string; status: "operational" | "under_maintenance" | "degraded_performance" | "partial_outage" | "major_outage" })[]; timeline: ({ id: number; incidentId: string; kind: "declared" | "note" | "decision" | "action" | "role_change" | "status_update" | "state_change" | "ticket_linked" | "ticket_unlinked" | "summary_changed" | "reminder" | "late"; body: string; data: { [key: string]: unknown }; actorId: string | null; pinned: boolean; at: string; actorName: string })[]; updates: ({ id: string; incidentId: string; state: "investigating" | "identified" | "monitoring" | "resolved" | "pending_retro" | "closed"; body: string; eta: string | null; notifyCustomers: boolean; notifySubscribers: boolean; authorId: string | null; at: string; authorName: string })[]; tickets: { id: string; number: number; subject: string; status: string; linkedAt: string }[]; hiddenTickets: number; retro: { incidentId: string; status: "draft" | "done" | "skipped"; skipReason: string | null; summary: string; rootCause: string; whys: string[]; wentWell: string; wentBadly: string; actionItems: ({ id: string; title: string; ownerId: string | null; dueOn: string | null; link: string | null; done: boolean; remindedFor: string | null })[]; dueAt: string; remindedAt: string | null; completedAt: string | null; updatedAt: string } | null } };
    patch: { path: { id: string }; query: never; body: { title?: string; publicTitle?: string; severity?: string; impact?: string; currentTheory?: string; nextSteps?: string; components?: ({ id: string; status?: "under_maintenance" | "degraded_performance" | "partial_outage" | "major_outage" })[]; startedAt?: string; detectedAt?: string; acknowledgedAt?: string; mitigatedAt?: string; version?: number }; response: { id: string; number: number; title: string; publicTitle: string; severity: string; state: "investigating" | "identified" | "monitoring" | "resolved" | "pending_retro" | "closed"; originTicketId: string | null; impact: string; currentTheory: string; nextSteps: string; startedAt: string; detectedAt: string; acknowledgedAt: string | null; mitigatedAt: string | null; resolvedAt: string | null; closedAt: string | null; nextUpdateDueAt: string | null; remindedForDueAt: string | null; lateSince: string | null; declaredById: string | null; version: number; createdAt: string; updatedAt: string } };
  };
  "/api/v1/incidents/{id}/markdown": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/incidents/{id}/retro": {
    put: { path: { id: string }; query: never; body: { summary?: string; rootCause?: string; whys?: string[]; wentWell?: string; wentBadly?: string; actionItems?: ({ id?: string; title: string; ownerId?: string | null; dueOn?: string | null; link?: string | null; done?: boolean })[] }; response: { incidentId: string; status: "draft" | "done" | "skipped"; skipReason: string | null; summary: string; rootCause: string; whys: string[]; wentWell: string; wentBadly: string; actionItems: ({ id: string; title: string; ownerId: string | null; dueOn: string | null; link: string | null; done: boolean; remindedFor: string | null })[]; dueAt: string; remindedAt: string | null; completedAt: string | null; updatedAt: string } };
  };
  "/api/v1/incidents/{id}/retro/action-items/{itemId}": {
    patch: { path: { id: string; itemId: string }; query: never; body: { done?: boolean; dueOn?: string | null; ownerId?: string | null }; response: { incidentId: string; status: "draft" | "done" | "skipped"; skipReason: string | null; summary: string; rootCause: string; whys: string[]; wentWell: string; wentBadly: string; actionItems: ({ id: string; title: string; ownerId: string | null; dueOn: string | null; link: string | null; done: boolean; remindedFor: string | null })[]; dueAt: string; remindedAt: string | null; completedAt: string | null; updatedAt: string } };
  };
  "/api/v1/incidents/{id}/retro/complete": {
    post: { path: { id: string }; query: never; body: { done: true } | { skipReason: string }; response: { incidentId: string; status: "draft" | "done" | "skipped"; skipReason: string | null; summary: string; rootCause: string; whys: string[]; wentWell: string; wentBadly: string; actionItems: ({ id: string; title: string; ownerId: string | null; dueOn: string | null; link: string | null; done: boolean; remindedFor: string | null })[]; dueAt: string; remindedAt: string | null; completedAt: string | null; updatedAt: string } };
  };
  "/api/v1/incidents/{id}/roles/{key}": {
    put: { path: { id: string; key: string }; query: never; body: { userId: string | null }; response: unknown };
  };
  "/api/v1/incidents/{id}/solve-tickets": {
    post: { path: { id: string }; query: never; body: { notice: string }; response: unknown };
  };
  "/api/v1/incidents/{id}/state": {
    post: { path: { id: string }; query: never; body: { state: "investigating" | "identified" | "monitoring" | "resolved" | "pending_retro" | "closed"; note?: string }; response: { id: string; number: number; title: string; publicTitle: string; severity: string; state: "investigating" | "identified" | "monitoring" | "resolved" | "pending_retro" | "closed"; originTicketId: string | null; impact: string; currentTheory: string; nextSteps: string; startedAt: string; detectedAt: string; acknowledgedAt: string | null; mitigatedAt: string | null; resolvedAt: string | null; closedAt: string | null; nextUpdateDueAt: string | null; remindedForDueAt: string | null; lateSince: string | null; declaredById: string | null; version: number; createdAt: string; updatedAt: string } };
  };
  "/api/v1/incidents/{id}/suggested-tickets": {
    get: { path: { id: string }; query: never; body: never; response: { items: { id: string; number: number; subject: string; status: string; requesterName: string; createdAt: string }[] } };
  };
  "/api/v1/incidents/{id}/tickets": {
    post: { path: { id: string }; query: never; body: { ticketIds: string[] }; response: { linked: string[] } };
  };
  "/api/v1/incidents/{id}/tickets/{ticketId}": {
    delete: { path: { id: string; ticketId: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/incidents/{id}/timeline": {
    post: { path: { id: string }; query: never; body: { kind: "note" | "decision" | "action"; body: string; pinned?: boolean }; response: { id: number; incidentId: string; kind: "declared" | "note" | "decision" | "action" | "role_change" | "status_update" | "state_change" | "ticket_linked" | "ticket_unlinked" | "summary_changed" | "reminder" | "late"; body: string; data: { [key: string]: unknown }; actorId: string | null; pinned: boolean; at: string } };
  };
  "/api/v1/incidents/{id}/timeline/{entryId}": {
    patch: { path: { id: string; entryId: number }; query: never; body: { pinned: boolean }; response: { id: number; incidentId: string; kind: "declared" | "note" | "decision" | "action" | "role_change" | "status_update" | "state_change" | "ticket_linked" | "ticket_unlinked" | "summary_changed" | "reminder" | "late"; body: string; data: { [key: string]: unknown }; actorId: string | null; pinned: boolean; at: string } };
  };
  "/api/v1/incidents/{id}/updates": {
    post: { path: { id: string }; query: never; body: { state: "investigating" | "identified" | "monitoring" | "resolved"; body: string; eta?: string | null; notifyCustomers?: boolean; notifySubscribers?: boolean }; response: { incident: { id: string; number: number; title: string; publicTitle: string; severity: string; state: "investigating" | "identified" | "monitoring" | "resolved" | "pending_retro" | "closed"; originTicketId: string | null; impact: string; currentTheory: string; nextSteps: string; startedAt: string; detectedAt: string; acknowledgedAt: string | null; mitigatedAt: string | null; resolvedAt: string | null; closedAt: string | null; nextUpdateDueAt: string | null; remindedForDueAt: string | null; lateSince: string | null; declaredById: string | null; version: number; createdAt: string; updatedAt: string }; update: { id: string; incidentId: string; state: "investigating" | "identified" | "monitoring" | "resolved" | "pending_retro" | "closed"; body: string; eta: string | null; notifyCustomers: boolean; notifySubscribers: boolean; authorId: string | null; at: string }; notified: number } };
  };
  "/api/v1/kb/articles": {
    post: { path: never; query: never; body: { sectionId: string; title: string; body?: string; slug?: string; visibility?: "public" | "signed_in" | "organization" | "internal"; organizationIds?: string[]; position?: number; sourceTicketId?: string }; response: unknown };
  };
  "/api/v1/kb/articles/{id}": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
    patch: { path: { id: string }; query: never; body: { sectionId?: string; title?: string; body?: string; note?: string; visibility?: "public" | "signed_in" | "organization" | "internal"; organizationIds?: string[]; position?: number; version?: number }; response: unknown };
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/diff": {
    get: { path: { id: string }; query: { from: number; to: number }; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/files": {
    post: { path: { id: string }; query: { filename: string }; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/publish": {
    post: { path: { id: string }; query: never; body: { at?: string | null }; response: unknown };
  };
  "/api/v1/kb/articles/{id}/related": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
    put: { path: { id: string }; query: never; body: { ids: string[] }; response: unknown };
  };
  "/api/v1/kb/articles/{id}/review": {
    post: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/review/approve": {
    post: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/review/changes": {
    post: { path: { id: string }; query: never; body: { note: string }; response: unknown };
  };
  "/api/v1/kb/articles/{id}/stats": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/translations": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/translations/{locale}": {
    get: { path: { id: string; locale: string }; query: never; body: never; response: unknown };
    put: { path: { id: string; locale: string }; query: never; body: { title: string; body?: string; version?: number }; response: unknown };
    delete: { path: { id: string; locale: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/translations/{locale}/diff": {
    get: { path: { id: string; locale: string }; query: { from: number; to: number }; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/translations/{locale}/publish": {
    post: { path: { id: string; locale: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/translations/{locale}/review": {
    post: { path: { id: string; locale: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/translations/{locale}/review/approve": {
    post: { path: { id: string; locale: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/translations/{locale}/review/changes": {
    post: { path: { id: string; locale: string }; query: never; body: { note: string }; response: unknown };
  };
  "/api/v1/kb/articles/{id}/translations/{locale}/unpublish": {
    post: { path: { id: string; locale: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/translations/{locale}/versions": {
    get: { path: { id: string; locale: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/translations/{locale}/versions/{version}/restore": {
    post: { path: { id: string; locale: string; version: number }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/unpublish": {
    post: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/uses": {
    post: { path: { id: string }; query: never; body: { ticketId: string }; response: unknown };
  };
  "/api/v1/kb/articles/{id}/versions": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/versions/{version}": {
    get: { path: { id: string; version: number }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/versions/{version}/restore": {
    post: { path: { id: string; version: number }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/articles/{id}/votes": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
    post: { path: { id: string }; query: never; body: { helpful: boolean; comment?: string }; response: unknown };
  };
  "/api/v1/kb/categories": {
    post: { path: never; query: never; body: { name: string; slug?: string; description?: string; position?: number }; response: unknown };
  };
  "/api/v1/kb/categories/{id}": {
    patch: { path: { id: string }; query: never; body: { name?: string; slug?: string; description?: string; position?: number }; response: unknown };
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/categories/{id}/translations": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/categories/{id}/translations/{locale}": {
    put: { path: { id: string; locale: string }; query: never; body: { name: string; description?: string }; response: unknown };
    delete: { path: { id: string; locale: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/preview": {
    post: { path: never; query: never; body: { body: string }; response: { html: string } };
  };
  "/api/v1/kb/sections": {
    post: { path: never; query: never; body: { name: string; slug?: string; description?: string; position?: number; categoryId: string }; response: unknown };
  };
  "/api/v1/kb/sections/{id}": {
    patch: { path: { id: string }; query: never; body: { name?: string; slug?: string; description?: string; position?: number; categoryId?: string }; response: unknown };
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/sections/{id}/translations": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/sections/{id}/translations/{locale}": {
    put: { path: { id: string; locale: string }; query: never; body: { name: string; description?: string }; response: unknown };
    delete: { path: { id: string; locale: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/settings": {
    get: { path: never; query: never; body: never; response: unknown };
    put: { path: never; query: never; body: { name: string; intro?: string; primaryColor: string; accentColor: string; language: string; topicDays?: number; topicMinTickets?: number; requireReview?: boolean; locales?: string[] }; response: unknown };
  };
  "/api/v1/kb/suggest": {
    get: { path: never; query: { q: string; impression?: string; locale?: string }; body: never; response: { items: { id: string; slug: string; title: string; snippet: string; url: string; locale: string }[]; locale: string } };
  };
  "/api/v1/kb/suggest/feedback": {
    post: { path: never; query: never; body: { articleId: string; outcome: "solved" | "not_related" | "not_answered"; query?: string; impression?: string }; response: unknown };
  };
  "/api/v1/kb/topics": {
    get: { path: never; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/topics/refresh": {
    post: { path: never; query: never; body: never; response: unknown };
  };
  "/api/v1/kb/tree": {
    get: { path: never; query: never; body: never; response: unknown };
  };
  "/api/v1/macros": {
    get: { path: never; query: { include?: "inactive" }; body: never; response: { items: ({ id: string; name: string; body: string; public: boolean; changes: { status?: string; priority?: string; type?: string | null; groupId?: string | null; assigneeId?: string | null; addTags?: string[]; removeTags?: string[]; customFields?: { [key: string]: unknown } }; ownerId: string | null; position: number; active: boolean })[] } };
    post: { path: never; query: never; body: { name: string; body?: string; public?: boolean; changes?: { status?: string; priority?: string; type?: string | null; groupId?: string | null; assigneeId?: "current_user" | string | null; addTags?: string[]; removeTags?: string[]; customFields?: { [key: string]: unknown } }; shared?: boolean; position?: number; active?: boolean }; response: { id: string; name: string; body: string; public: boolean; changes: { status?: string; priority?: string; type?: string | null; groupId?: string | null; assigneeId?: string | null; addTags?: string[]; removeTags?: string[]; customFields?: { [key: string]: unknown } }; ownerId: string | null; position: number; active: boolean } };
  };
  "/api/v1/macros/{id}": {
    get: { path: { id: string }; query: never; body: never; response: { id: string; name: string; body: string; public: boolean; changes: { status?: string; priority?: string; type?: string | null; groupId?: string | null; assigneeId?: string | null; addTags?: string[]; removeTags?: string[]; customFields?: { [key: string]: unknown } }; ownerId: string | null; position: number; active: boolean } };
    patch: { path: { id: string }; query: never; body: { name?: string; body?: string; public?: boolean; changes?: { status?: string; priority?: string; type?: string | null; groupId?: string | null; assigneeId?: "current_user" | string | null; addTags?: string[]; removeTags?: string[]; customFields?: { [key: string]: unknown } }; shared?: boolean; position?: number; active?: boolean }; response: { id: string; name: string; body: string; public: boolean; changes: { status?: string; priority?: string; type?: string | null; groupId?: string | null; assigneeId?: string | null; addTags?: string[]; removeTags?: string[]; customFields?: { [key: string]: unknown } }; ownerId: string | null; position: number; active: boolean } };
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/macros/{id}/duplicate": {
    post: { path: { id: string }; query: never; body: never; response: { id: string; name: string; body: string; public: boolean; changes: { status?: string; priority?: string; type?: string | null; groupId?: string | null; assigneeId?: string | null; addTags?: string[]; removeTags?: string[]; customFields?: { [key: string]: unknown } }; ownerId: string | null; position: number; active: boolean } };
  };
  "/api/v1/macros/order": {
    put: { path: never; query: never; body: { ids: string[] }; response: { items: ({ id: string; name: string; body: string; public: boolean; changes: { status?: string; priority?: string; type?: string | null; groupId?: string | null; assigneeId?: string | null; addTags?: string[]; removeTags?: string[]; customFields?: { [key: string]: unknown } }; ownerId: string | null; position: number; active: boolean })[] } };
  };
  "/api/v1/macros/preview": {
    post: { path: never; query: never; body: { ticket: string; body?: string; changes?: { status?: string; priority?: string; type?: string | null; groupId?: string | null; assigneeId?: "current_user" | string | null; addTags?: string[]; removeTags?: string[]; customFields?: { [key: string]: unknown } } }; response: { body: string; changes: { status?: string; priority?: string; type?: string | null; groupId?: string | null; assigneeId?: string | null; addTags?: string[]; removeTags?: string[]; customFields?: { [key: string]: unknown } }; ticket: { id: string; number: number; subject: string; status: string; priority: string | null; type: string | null; groupId: string | null; assigneeId: string | null; tags: string[]; customFields: { [key: string]: unknown } } } };
  };
  "/api/v1/me": {
    get: { path: never; query: never; body: never; response: { id: string; email: string; name: string; role: "admin" | "agent" | "light_agent" | "customer"; organizationId: string | null; organizationSupervisor: boolean; ticketAccess: "all" | "groups"; active: boolean; createdAt: string; groupIds: string[]; via: "session" | "token" | "system"; scopes: string[] | null; csrfToken: string | null } };
  };
  "/api/v1/me/action-items": {
    get: { path: never; query: never; body: never; response: { items: ({ incidentId: string; incidentNumber: number; incidentTitle: string; id: string; title: string; dueOn: string; link: string | null })[] } };
  };
  "/api/v1/me/away": {
    put: { path: never; query: never; body: { away: boolean; until?: string | null }; response: unknown };
  };
  "/api/v1/messages/preview": {
    post: { path: never; query: never; body: { body: string; format?: "markdown" | "html" | "text" }; response: { html: string } };
  };
  "/api/v1/monitors": {
    get: { path: never; query: never; body: never; response: { items: ({ id: string; name: string; componentId: string; kind: "http" | "heartbeat"; url: string | null; method: "GET" | "HEAD"; intervalSeconds: number; timeoutSeconds: number; expectedStatusMin: number; expectedStatusMax: number; keyword: string | null; graceSeconds: number; failureThreshold: number; severity: string | null; paused: boolean; status: "pending" | "up" | "down"; consecutiveFailures: number; nextCheckAt: string; lastCheckedAt: string | null; lastPingAt: string | null; createdAt: string; updatedAt: string })[] } };
    post: { path: never; query: never; body: { name: string; componentId: string; url?: string | null; method?: "GET" | "HEAD"; intervalSeconds?: number; timeoutSeconds?: number; expectedStatusMin?: number; expectedStatusMax?: number; keyword?: string | null; graceSeconds?: number; failureThreshold?: number; severity?: string | null; paused?: boolean; kind?: "http" | "heartbeat" }; response: { id: string; name: string; componentId: string; kind: "http" | "heartbeat"; url: string | null; method: "GET" | "HEAD"; intervalSeconds: number; timeoutSeconds: number; expectedStatusMin: number; expectedStatusMax: number; keyword: string | null; graceSeconds: number; failureThreshold: number; severity: string | null; paused: boolean; status: "pending" | "up" | "down"; consecutiveFailures: number; nextCheckAt: string; lastCheckedAt: string | null; lastPingAt: string | null; createdAt: string; updatedAt: string; heartbeatUrl: string | null } };
  };
  "/api/v1/monitors/{id}": {
    get: { path: { id: string }; query: never; body: never; response: { id: string; name: string; componentId: string; kind: "http" | "heartbeat"; url: string | null; method: "GET" | "HEAD"; intervalSeconds: number; timeoutSeconds: number; expectedStatusMin: number; expectedStatusMax: number; keyword: string | null; graceSeconds: number; failureThreshold: number; severity: string | null; paused: boolean; status: "pending" | "up" | "down"; consecutiveFailures: number; nextCheckAt: string; lastCheckedAt: string | null; lastPingAt: string | null; createdAt: string; updatedAt: string; results: ({ id: number; at: string; ok: boolean; latencyMs: number | null; statusCode: number | null; error: string | null })[]; alert: { id: string; openedAt: string; recoveredAt: string | null; lastError: string | null; pageId: string | null; incident: { id: string; number: number; state: string; title: string } | null } | null } };
    patch: { path: { id: string }; query: never; body: { name?: string; componentId?: string; url?: string | null; method?: "GET" | "HEAD"; intervalSeconds?: number; timeoutSeconds?: number; expectedStatusMin?: number; expectedStatusMax?: number; keyword?: string | null; graceSeconds?: number; failureThreshold?: number; severity?: string | null; paused?: boolean }; response: { id: string; name: string; componentId: string; kind: "http" | "heartbeat"; url: string | null; method: "GET" | "HEAD"; intervalSeconds: number; timeoutSeconds: number; expectedStatusMin: number; expectedStatusMax: number; keyword: string | null; graceSeconds: number; failureThreshold: number; severity: string | null; paused: boolean; status: "pending" | "up" | "down"; consecutiveFailures: number; nextCheckAt: string; lastCheckedAt: string | null; lastPingAt: string | null; createdAt: string; updatedAt: string } };
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/monitors/{id}/heartbeat-url": {
    post: { path: { id: string }; query: never; body: never; response: { heartbeatUrl: string } };
  };
  "/api/v1/oncall/me/feed": {
    get: { path: never; query: never; body: never; response: { exists: boolean } };
    post: { path: never; query: never; body: never; response: { url: string } };
  };
  "/api/v1/oncall/pages": {
    get: { path: never; query: { mine?: "true" | "false"; status?: "triggered" | "acknowledged" | "resolved" }; body: never; response: { items: ({ id: string; number: number; title: string; body: string; source: string; ticketId: string | null; incidentId: string | null; policyId: string; status: "triggered" | "acknowledged" | "resolved"; step: number; round: number; exhausted: boolean; createdAt: string; escalatedAt: string | null; acknowledgedAt: string | null; acknowledgedById: string | null; resolvedAt: string | null; resolvedById: string | null })[] } };
    post: { path: never; query: never; body: { policyId: string; title: string; body?: string }; response: { id: string; number: number; title: string; body: string; source: string; ticketId: string | null; incidentId: string | null; policyId: string; status: "triggered" | "acknowledged" | "resolved"; step: number; round: number; exhausted: boolean; createdAt: string; escalatedAt: string | null; acknowledgedAt: string | null; acknowledgedById: string | null; resolvedAt: string | null; resolvedById: string | null } };
  };
  "/api/v1/oncall/pages/{id}": {
    get: { path: { id: string }; query: never; body: never; response: { id: string; number: number; title: string; body: string; source: string; ticketId: string | null; incidentId: string | null; policyId: string; status: "triggered" | "acknowledged" | "resolved"; step: number; round: number; exhausted: boolean; createdAt: string; escalatedAt: string | null; acknowledgedAt: string | null; acknowledgedById: string | null; resolvedAt: string | null; resolvedById: string | null; notifications: ({ id: string; userId: string; round: number; step: number; channel: string; status: string; error: string | null; createdAt: string; sentAt: string | null })[] } };
  };
  "/api/v1/oncall/pages/{id}/acknowledge": {
    post: { path: { id: string }; query: never; body: never; response: { id: string; number: number; title: string; body: string; source: string; ticketId: string | null; incidentId: string | null; policyId: string; status: "triggered" | "acknowledged" | "resolved"; step: number; round: number; exhausted: boolean; createdAt: string; escalatedAt: string | null; acknowledgedAt: string | null; acknowledgedById: string | null; resolvedAt: string | null; resolvedById: string | null } };
  };
  "/api/v1/oncall/pages/{id}/resolve": {
    post: { path: { id: string }; query: never; body: never; response: { id: string; number: number; title: string; body: string; source: string; ticketId: string | null; incidentId: string | null; policyId: string; status: "triggered" | "acknowledged" | "resolved"; step: number; round: number; exhausted: boolean; createdAt: string; escalatedAt: string | null; acknowledgedAt: string | null; acknowledgedById: string | null; resolvedAt: string | null; resolvedById: string | null } };
  };
  "/api/v1/oncall/policies": {
    get: { path: never; query: never; body: never; response: { items: ({ id: string; name: string; description: string; repeat: number; steps: ({ delayMinutes: number; targets: ({ type: "user" | "schedule" | "policy"; id: string })[] })[]; createdAt: string; updatedAt: string; notPaged: { userId: string; name: string }[] })[] } };
    post: { path: never; query: never; body: { name: string; description?: string; repeat?: number; steps: ({ delayMinutes: number; targets: ({ type: "user" | "schedule" | "policy"; id: string })[] })[] }; response: { id: string; name: string; description: string; repeat: number; steps: ({ delayMinutes: number; targets: ({ type: "user" | "schedule" | "policy"; id: string })[] })[]; createdAt: string; updatedAt: string; notPaged: { userId: string; name: string }[] } };
  };
  "/api/v1/oncall/policies/{id}": {
    put: { path: { id: string }; query: never; body: { name: string; description?: string; repeat?: number; steps: ({ delayMinutes: number; targets: ({ type: "user" | "schedule" | "policy"; id: string })[] })[] }; response: { id: string; name: string; description: string; repeat: number; steps: ({ delayMinutes: number; targets: ({ type: "user" | "schedule" | "policy"; id: string })[] })[]; createdAt: string; updatedAt: string; notPaged: { userId: string; name: string }[] } };
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/oncall/schedules": {
    get: { path: never; query: never; body: never; response: { items: ({ id: string; name: string; description: string; timeZone: string; onCallNow: { userId: string; name: string } | null; notPaged: { userId: string; name: string }[] })[] } };
    post: { path: never; query: never; body: { name: string; description?: string; timeZone: string; layers: ({ name: string; rank?: number; memberIds: string[]; turnHours: number; handoffTime?: string; handoffWeekday?: number | null; startsOn: string })[] }; response: { id: string; name: string; description: string; timeZone: string; onCallNow: { userId: string; name: string } | null; notPaged: { userId: string; name: string }[]; layers: ({ id: string; name: string; rank: number; memberIds: string[]; turnHours: number; handoffTime: string; handoffWeekday: number | null; startsOn: string })[]; overrides: ({ id: string; userId: string; startsAt: string; endsAt: string; note: string; createdById: string | null; createdAt: string })[]; shifts: ({ userId: string; name: string; start: string; end: string; layerId: string | null; overrideId: string | null })[] } };
  };
  "/api/v1/oncall/schedules/{id}": {
    get: { path: { id: string }; query: { from?: string; to?: string }; body: never; response: { id: string; name: string; description: string; timeZone: string; onCallNow: { userId: string; name: string } | null; notPaged: { userId: string; name: string }[]; layers: ({ id: string; name: string; rank: number; memberIds: string[]; turnHours: number; handoffTime: string; handoffWeekday: number | null; startsOn: string })[]; overrides: ({ id: string; userId: string; startsAt: string; endsAt: string; note: string; createdById: string | null; createdAt: string })[]; shifts: ({ userId: string; name: string; start: string; end: string; layerId: string | null; overrideId: string | null })[] } };
    put: { path: { id: string }; query: never; body: { name: string; description?: string; timeZone: string; layers: ({ name: string; rank?: number; memberIds: string[]; turnHours: number; handoffTime?: string; handoffWeekday?: number | null; startsOn: string })[] }; response: { id: string; name: string; description: string; timeZone: string; onCallNow: { userId: string; name: string } | null; notPaged: { userId: string; name: string }[]; layers: ({ id: string; name: string; rank: number; memberIds: string[]; turnHours: number; handoffTime: string; handoffWeekday: number | null; startsOn: string })[]; overrides: ({ id: string; userId: string; startsAt: string; endsAt: string; note: string; createdById: string | null; createdAt: string })[]; shifts: ({ userId: string; name: string; start: string; end: string; layerId: string | null; overrideId: string | null })[] } };
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/oncall/schedules/{id}/feed": {
    post: { path: { id: string }; query: never; body: never; response: { url: string } };
  };
  "/api/v1/oncall/schedules/{id}/handoff-notes": {
    get: { path: { id: string }; query: never; body: never; response: { items: ({ id: string; scheduleId: string; authorId: string | null; body: string; createdAt: string })[] } };
    post: { path: { id: string }; query: never; body: { body: string }; response: { id: string; scheduleId: string; authorId: string | null; body: string; createdAt: string } };
  };
  "/api/v1/oncall/schedules/{id}/on-call": {
    get: { path: { id: string }; query: { at?: string }; body: never; response: { at: string; onCall: { userId: string; name: string } | null } };
  };
  "/api/v1/oncall/schedules/{id}/overrides": {
    post: { path: { id: string }; query: never; body: { userId: string; startsAt: string; endsAt: string; note?: string }; response: { id: string; userId: string; startsAt: string; endsAt: string; note: string; createdById: string | null; createdAt: string } };
  };
  "/api/v1/oncall/schedules/{id}/overrides/{overrideId}": {
    delete: { path: { id: string; overrideId: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/oncall/settings": {
    get: { path: never; query: never; body: never; response: { ticketPriorities: string[]; ticketPolicyId: string | null; incidentPolicyId: string | null; webhookUrl: string | null; webhookSecret: string | null } };
    put: { path: never; query: never; body: { ticketPriorities: string[]; ticketPolicyId: string | null; incidentPolicyId?: string | null; webhookUrl: string | null }; response: { ticketPriorities: string[]; ticketPolicyId: string | null; incidentPolicyId: string | null; webhookUrl: string | null; webhookSecret: string | null } };
  };
  "/api/v1/organizations": {
    get: { path: never; query: never; body: never; response: { items: { id: string; name: string; domains: string[]; notes: string; sharedTickets: boolean; customFields: { [key: string]: unknown }; createdAt: string }[] } };
    post: { path: never; query: never; body: { name: string; domains?: string[]; notes?: string; sharedTickets?: boolean; customFields?: { [key: string]: unknown } }; response: { id: string; name: string; domains: string[]; notes: string; sharedTickets: boolean; customFields: { [key: string]: unknown }; createdAt: string } };
  };
  "/api/v1/organizations/{id}": {
    get: { path: { id: string }; query: never; body: never; response: { id: string; name: string; domains: string[]; notes: string; sharedTickets: boolean; customFields: { [key: string]: unknown }; createdAt: string } | { id: string; name: string; sharedTickets: boolean } };
    patch: { path: { id: string }; query: never; body: { name?: string; domains?: string[]; notes?: string; sharedTickets?: boolean; customFields?: { [key: string]: unknown } }; response: { id: string; name: string; domains: string[]; notes: string; sharedTickets: boolean; customFields: { [key: string]: unknown }; createdAt: string } };
  };
  "/api/v1/organizations/{id}/board": {
    get: { path: { id: string }; query: never; body: never; response: { board: { id: string | null; name: string; customersReorder: boolean }; columns: ({ id: string | null; name: string; role: "new" | "up_next" | "in_progress" | "done" | null })[]; cards: ({ id: string; columnId: string; title: string; ticketNumber: number | null; dueOn: string | null; labels: string[]; completedAt: string | null; version: number })[] } };
    post: { path: { id: string }; query: never; body: never; response: { board: { id: string; kind: "customer" | "epics"; organizationId: string | null; name: string; customersReorder: boolean }; columns: ({ id: string; boardId: string; name: string; position: number; role: "new" | "up_next" | "in_progress" | "done" | null; stateKey: string | null; wipLimit: number | null; wipMode: "refuse" | "warn" })[]; cards: ({ id: string; boardId: string; columnId: string; role: "new" | "up_next" | "in_progress" | "done" | null; position: number; epicsPosition: number; onEpics: boolean; organizationId: string | null; ticketId: string | null; ticketNumber: number | null; title: string; ownerIds: string[]; dueOn: string | null; estimateHours: number | null; labels: string[]; week: string | null; triage: boolean; checklistDone: number; checklistTotal: number; completedAt: string | null; version: number })[]; people: { id: string; name: string }[]; organizations: { id: string; name: string }[] } };
  };
  "/api/v1/organizations/{id}/board/reorder": {
    post: { path: { id: string }; query: never; body: { cardId: string; index: number; version: number }; response: { board: { id: string | null; name: string; customersReorder: boolean }; columns: ({ id: string | null; name: string; role: "new" | "up_next" | "in_progress" | "done" | null })[]; cards: ({ id: string; columnId: string; title: string; ticketNumber: number | null; dueOn: string | null; labels: string[]; completedAt: string | null; version: number })[] } };
  };
  "/api/v1/outbox": {
    get: { path: never; query: { limit?: number; cursor?: string; ticketId?: string; status?: "queued" | "sent" | "stored" | "failed" }; body: never; response: unknown };
  };
  "/api/v1/outbox/{id}": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/outbox/{id}/raw": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/password-reset": {
    post: { path: never; query: never; body: { token: string; password: string }; response: unknown };
  };
  "/api/v1/password-reset/check": {
    post: { path: never; query: never; body: { token: string }; response: { email: string } };
  };
  "/api/v1/password-reset/request": {
    post: { path: never; query: never; body: { email: string }; response: unknown };
  };
  "/api/v1/planning": {
    get: { path: never; query: { week: string }; body: never; response: { week: string; previousWeek: string; customers: ({ organizationId: string; boardId: string; name: string; goal: string; upNext: ({ id: string; boardId: string; title: string; ticketNumber: number | null; role: "new" | "up_next" | "in_progress" | "done" | null; estimateHours: number | null; ownerIds: string[]; week: string | null; completedAt: string | null; version: number })[]; committed: ({ id: string; boardId: string; title: string; ticketNumber: number | null; role: "new" | "up_next" | "in_progress" | "done" | null; estimateHours: number | null; ownerIds: string[]; week: string | null; completedAt: string | null; version: number })[]; committedHours: number; unestimated: number; completedLastWeek: ({ id: string; boardId: string; title: string; ticketNumber: number | null; role: "new" | "up_next" | "in_progress" | "done" | null; estimateHours: number | null; ownerIds: string[]; week: string | null; completedAt: string | null; version: number })[] })[]; triage: { upNext: ({ id: string; boardId: string; title: string; ticketNumber: number | null; role: "new" | "up_next" | "in_progress" | "done" | null; estimateHours: number | null; ownerIds: string[]; week: string | null; completedAt: string | null; version: number })[]; committed: ({ id: string; boardId: string; title: string; ticketNumber: number | null; role: "new" | "up_next" | "in_progress" | "done" | null; estimateHours: number | null; ownerIds: string[]; week: string | null; completedAt: string | null; version: number })[]; committedHours: number; unestimated: number; completedLastWeek: ({ id: string; boardId: string; title: string; ticketNumber: number | null; role: "new" | "up_next" | "in_progress" | "done" | null; estimateHours: number | null; ownerIds: string[]; week: string | null; completedAt: string | null; version: number })[] }; people: { id: string; name: string; availableHours: number; committedHours: number; cards: number }[]; unowned: number } };
  };
  "/api/v1/planning/goals": {
    put: { path: never; query: never; body: { organizationId: string; week: string; goal: string }; response: { organizationId: string; week: string; goal: string } };
  };
  "/api/v1/portal/home": {
    get: { path: never; query: never; body: never; response: { user: { id: string; name: string; email: string }; organization: { id: string; name: string } | null; supervisor: boolean; form: { types: { key: string; label: string }[]; customFields: { key: string; label: string; kind: string; options: string[] }[]; attachments: boolean }; banners: ({ id: string; title: string; state: string; impact: string; update: string | null; link: string })[]; csrfToken: string | null } };
  };
  "/api/v1/portal/settings": {
    get: { path: never; query: never; body: never; response: { labels: { [key: string]: string }; types: string[]; customFields: string[]; attachments: boolean } };
    put: { path: never; query: never; body: { labels: { [key: string]: string }; types: string[]; customFields: string[]; attachments: boolean }; response: { labels: { [key: string]: string }; types: string[]; customFields: string[]; attachments: boolean } };
  };
  "/api/v1/portal/sign-in": {
    post: { path: never; query: never; body: { token: string }; response: { csrfToken: string; user: { id: string; name: string; email: string } } };
  };
  "/api/v1/portal/sign-in-link": {
    post: { path: never; query: never; body: { email: string }; response: unknown };
  };
  "/api/v1/portal/sign-in/check": {
    post: { path: never; query: never; body: { token: string }; response: { email: string } };
  };
  "/api/v1/portal/tickets": {
    get: { path: never; query: { scope?: "mine" | "organization"; cursor?: string }; body: never; response: { items: { id: string; number: number; subject: string; status: string; awaitingConfirmation: boolean; requester: { name: string }; createdAt: string; updatedAt: string }[]; nextCursor: string | null } };
    post: { path: never; query: never; body: { subject: string; description: string; type?: string | null; customFields?: { [key: string]: unknown }; attachmentIds?: string[]; kbImpression?: string }; response: { id: string; number: number; subject: string; status: string; awaitingConfirmation: boolean; canConfirm: boolean; canReopen: boolean; canReply: boolean; requester: { name: string }; createdAt: string; updatedAt: string; version: number; messages: { id: string; fromSupport: boolean; author: string; html: string; createdAt: string; attachments: { id: string; filename: string; size: number }[] }[]; survey: { status: "scheduled" | "sent" | "answered" | "cancelled"; rating: "good" | "bad" | null; comment: string | null; reason: string | null; expiresAt: string | null; reasons: string[] } | null } };
  };
  "/api/v1/portal/tickets/{id}": {
    get: { path: { id: string }; query: never; body: never; response: { id: string; number: number; subject: string; status: string; awaitingConfirmation: boolean; canConfirm: boolean; canReopen: boolean; canReply: boolean; requester: { name: string }; createdAt: string; updatedAt: string; version: number; messages: { id: string; fromSupport: boolean; author: string; html: string; createdAt: string; attachments: { id: string; filename: string; size: number }[] }[]; survey: { status: "scheduled" | "sent" | "answered" | "cancelled"; rating: "good" | "bad" | null; comment: string | null; reason: string | null; expiresAt: string | null; reasons: string[] } | null } };
  };
  "/api/v1/portal/tickets/{id}/confirm": {
    post: { path: { id: string }; query: never; body: never; response: { id: string; number: number; subject: string; status: string; awaitingConfirmation: boolean; canConfirm: boolean; canReopen: boolean; canReply: boolean; requester: { name: string }; createdAt: string; updatedAt: string; version: number; messages: { id: string; fromSupport: boolean; author: string; html: string; createdAt: string; attachments: { id: string; filename: string; size: number }[] }[]; survey: { status: "scheduled" | "sent" | "answered" | "cancelled"; rating: "good" | "bad" | null; comment: string | null; reason: string | null; expiresAt: string | null; reasons: string[] } | null } };
  };
  "/api/v1/portal/tickets/{id}/not-fixed": {
    post: { path: { id: string }; query: never; body: { comment: string }; response: { id: string; number: number; subject: string; status: string; awaitingConfirmation: boolean; canConfirm: boolean; canReopen: boolean; canReply: boolean; requester: { name: string }; createdAt: string; updatedAt: string; version: number; messages: { id: string; fromSupport: boolean; author: string; html: string; createdAt: string; attachments: { id: string; filename: string; size: number }[] }[]; survey: { status: "scheduled" | "sent" | "answered" | "cancelled"; rating: "good" | "bad" | null; comment: string | null; reason: string | null; expiresAt: string | null; reasons: string[] } | null } };
  };
  "/api/v1/portal/tickets/{id}/replies": {
    post: { path: { id: string }; query: never; body: { body: string; attachmentIds?: string[] }; response: { id: string; number: number; subject: string; status: string; awaitingConfirmation: boolean; canConfirm: boolean; canReopen: boolean; canReply: boolean; requester: { name: string }; createdAt: string; updatedAt: string; version: number; messages: { id: string; fromSupport: boolean; author: string; html: string; createdAt: string; attachments: { id: string; filename: string; size: number }[] }[]; survey: { status: "scheduled" | "sent" | "answered" | "cancelled"; rating: "good" | "bad" | null; comment: string | null; reason: string | null; expiresAt: string | null; reasons: string[] } | null } };
  };
  "/api/v1/portal/tickets/{id}/satisfaction": {
    post: { path: { id: string }; query: never; body: { rating: "good" | "bad"; comment?: string; reason?: string }; response: { id: string; number: number; subject: string; status: string; awaitingConfirmation: boolean; canConfirm: boolean; canReopen: boolean; canReply: boolean; requester: { name: string }; createdAt: string; updatedAt: string; version: number; messages: { id: string; fromSupport: boolean; author: string; html: string; createdAt: string; attachments: { id: string; filename: string; size: number }[] }[]; survey: { status: "scheduled" | "sent" | "answered" | "cancelled"; rating: "good" | "bad" | null; comment: string | null; reason: string | null; expiresAt: string | null; reasons: string[] } | null } };
  };
  "/api/v1/priorities": {
    get: { path: never; query: never; body: never; response: { items: { id: string; scheme: string; key: string; name: string; rank: number; definition: string; examples: string[]; expectedResponse: string; color: string; isDefault: boolean }[] } };
  };
  "/api/v1/priorities/{id}": {
    patch: { path: { id: string }; query: never; body: { name?: string; definition?: string; examples?: string[]; expectedResponse?: string; color?: string; isDefault?: true }; response: { id: string; scheme: string; key: string; name: string; rank: number; definition: string; examples: string[]; expectedResponse: string; color: string; isDefault: boolean } };
  };
  "/api/v1/priority-schemes": {
    get: { path: never; query: never; body: never; response: { items: { key: string; name: string; active: boolean; priorities: { id: string; scheme: string; key: string; name: string; rank: number; definition: string; examples: string[]; expectedResponse: string; color: string; isDefault: boolean }[] }[] } };
  };
  "/api/v1/priority-schemes/{key}/activate": {
    post: { path: { key: string }; query: never; body: never; response: { items: { key: string; name: string; active: boolean; priorities: { id: string; scheme: string; key: string; name: string; rank: number; definition: string; examples: string[]; expectedResponse: string; color: string; isDefault: boolean }[] }[] } };
  };
  "/api/v1/priority-schemes/{key}/order": {
    put: { path: { key: string }; query: never; body: { ids: string[] }; response: { items: { key: string; name: string; active: boolean; priorities: { id: string; scheme: string; key: string; name: string; rank: number; definition: string; examples: string[]; expectedResponse: string; color: string; isDefault: boolean }[] }[] } };
  };
  "/api/v1/priority-schemes/{key}/priorities": {
    post: { path: { key: string }; query: never; body: { key: string; name: string; definition: string; examples?: string[]; expectedResponse?: string; color?: string }; response: { id: string; scheme: string; key: string; name: string; rank: number; definition: string; examples: string[]; expectedResponse: string; color: string; isDefault: boolean } };
  };
  "/api/v1/reports": {
    get: { path: never; query: never; body: never; response: { items: { key: string; title: string; family: string; unit: string; definition: string; headline: string; groupings: string[] }[]; filters: string[] } };
  };
  "/api/v1/reports/{metric}": {
    get: { path: { metric: string }; query: { from?: string; to?: string; groupBy?: string; format?: "json" | "csv"; group?: string; agent?: string; priority?: string; channel?: string; organization?: string; type?: string; tag?: string }; body: never; response: ({ metric: { key: string; title: string; family: string; unit: string; definition: string; headline: string; groupings: string[] }; from: string; to: string; groupBy: string; filters: { [key: string]: string }; values: { [key: string]: number | null }; previous: { from: string; to: string; values: { [key: string]: number | null } }; groups: ({ key: string | null; label: string; values: { [key: string]: number | null }; previous?: { [key: string]: number | null } })[] }) | string };
  };
  "/api/v1/reports/{metric}/tickets": {
    get: { path: { metric: string }; query: { from?: string; to?: string; groupBy?: string; format?: "json" | "csv"; group?: string; agent?: string; priority?: string; channel?: string; organization?: string; type?: string; tag?: string; value?: string; cursor?: string; limit?: number }; body: never; response: { items: ({ id: string; number: number; subject: string; status: string; statusCategory: string; createdAt: string; at: string | null; value: number | null })[]; nextCursor: string | null } };
  };
  "/api/v1/reports/digests": {
    get: { path: never; query: never; body: never; response: { items: ({ kind: "daily" | "weekly" | "monthly"; localTime: string; timeZone: string; weekday: number; groupIds: string[]; nextAt: string })[] } };
    put: { path: never; query: never; body: { items: ({ kind: "daily" | "weekly" | "monthly"; localTime: string; timeZone: string; weekday?: number; groupIds?: string[] })[] }; response: { items: ({ kind: "daily" | "weekly" | "monthly"; localTime: string; timeZone: string; weekday: number; groupIds: string[]; nextAt: string })[] } };
  };
  "/api/v1/search": {
    get: { path: never; query: { q: string; status?: string; priority?: string; assignee?: string; group?: string; org?: string; requester?: string; tag?: string; type?: string; channel?: string; sort?: "created" | "updated" | "priority"; order?: "asc" | "desc"; limit?: number; cursor?: string }; body: never; response: { items: (({ id: string; number: number; subject: string; status: string; statusCategory: "new" | "open" | "pending" | "on_hold" | "solved" | "closed" | "merged"; priority: { key: string; name: string; rank: number; color: string } | null; type: string | null; requester: { id: string; name: string; email: string }; organizationId: string | null; assigneeId: string | null; groupId: string | null; channel: "email" | "web" | "api" | "phone" | "slack" | "github" | "widget" | "portal" | "other"; tags: string[]; productArea: string | null; dueAt: string | null; customFields: { [key: string]: unknown }; mergedIntoId: string | null; followUpOfId: string | null; version: number; createdAt: string; updatedAt: string; solvedAt: string | null; closedAt: string | null }) | ({ id: string; number: number; subject: string; status: "open" | "awaiting_your_reply" | "solved" | "closed"; requester: { id: string; name: string; email: string }; channel: "email" | "web" | "api" | "phone" | "slack" | "github" | "widget" | "portal" | "other"; mergedIntoId: string | null; followUpOfId: string | null; version: number; createdAt: string; updatedAt: string; solvedAt: string | null; closedAt: string | null }))[]; nextCursor: string | null; approximate?: boolean } };
  };
  "/api/v1/session": {
    post: { path: never; query: never; body: { email: string; password: string }; response: { user: { id: string; email: string; name: string; role: "admin" | "agent" | "light_agent" | "customer"; organizationId: string | null; organizationSupervisor: boolean; ticketAccess: "all" | "groups"; active: boolean; createdAt: string }; csrfToken: string } };
    delete: { path: never; query: never; body: never; response: unknown };
  };
  "/api/v1/setup": {
    get: { path: never; query: never; body: never; response: { needed: boolean } };
    post: { path: never; query: never; body: { token: string; email: string; name: string; password: string; demo?: boolean }; response: { user: { id: string; email: string; name: string; role: "admin" | "agent" | "light_agent" | "customer"; organizationId: string | null; organizationSupervisor: boolean; ticketAccess: "all" | "groups"; active: boolean; createdAt: string }; csrfToken: string } };
  };
  "/api/v1/sla-policies": {
    get: { path: never; query: never; body: never; response: { items: ({ id: string; name: string; position: number; active: boolean; condition: Condition; calendarId: string; targets: { [key: string]: { first_response?: number; next_response?: number; periodic_update?: number; resolution?: number } }; pauses: { [key: string]: ("first_response" | "next_response" | "periodic_update" | "resolution")[] }; warnPercent: number; createdAt: string; updatedAt: string })[] } };
    post: { path: never; query: never; body: { name: string; position?: number; active?: boolean; condition?: ConditionInput; calendarId: string; targets: { [key: string]: { first_response?: number; next_response?: number; periodic_update?: number; resolution?: number } }; pauses?: { new?: ("first_response" | "next_response" | "periodic_update" | "resolution")[]; open?: ("first_response" | "next_response" | "periodic_update" | "resolution")[]; pending?: ("first_response" | "next_response" | "periodic_update" | "resolution")[]; on_hold?: ("first_response" | "next_response" | "periodic_update" | "resolution")[]; solved?: ("first_response" | "next_response" | "periodic_update" | "resolution")[] }; warnPercent?: number }; response: { id: string; name: string; position: number; active: boolean; condition: Condition; calendarId: string; targets: { [key: string]: { first_response?: number; next_response?: number; periodic_update?: number; resolution?: number } }; pauses: { [key: string]: ("first_response" | "next_response" | "periodic_update" | "resolution")[] }; warnPercent: number; createdAt: string; updatedAt: string } };
  };
  "/api/v1/sla-policies/{id}": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
    patch: { path: { id: string }; query: never; body: { name?: string; position?: number; active?: boolean; condition?: ConditionInput; calendarId?: string; targets?: { [key: string]: { first_response?: number; next_response?: number; periodic_update?: number; resolution?: number } }; pauses?: { new?: ("first_response" | "next_response" | "periodic_update" | "resolution")[]; open?: ("first_response" | "next_response" | "periodic_update" | "resolution")[]; pending?: ("first_response" | "next_response" | "periodic_update" | "resolution")[]; on_hold?: ("first_response" | "next_response" | "periodic_update" | "resolution")[]; solved?: ("first_response" | "next_response" | "periodic_update" | "resolution")[] }; warnPercent?: number }; response: { id: string; name: string; position: number; active: boolean; condition: Condition; calendarId: string; targets: { [key: string]: { first_response?: number; next_response?: number; periodic_update?: number; resolution?: number } }; pauses: { [key: string]: ("first_response" | "next_response" | "periodic_update" | "resolution")[] }; warnPercent: number; createdAt: string; updatedAt: string } };
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/sla/clocks": {
    get: { path: never; query: { ticketIds: string }; body: never; response: { items: ({ ticketId: string; metric: "first_response" | "next_response" | "periodic_update" | "resolution"; policyId: string | null; status: "running" | "paused" | "achieved" | "stopped"; targetMinutes: number; startedAt: string; runningSince: string | null; elapsedMinutes: number; dueAt: string | null; warnAt: string | null; achievedAt: string | null; warnedAt: string | null; breachedAt: string | null; remainingMinutes: number | null })[] } };
  };
  "/api/v1/states": {
    get: { path: never; query: never; body: never; response: { items: ({ key: string; label: string; category: "new" | "open" | "pending" | "on_hold" | "solved" | "closed" | "merged"; pausesSla: boolean; onRequesterReply: string; position: number; builtin: boolean })[] } };
    post: { path: never; query: never; body: { key: string; label: string; category: "new" | "open" | "pending" | "on_hold" | "solved" | "closed"; pausesSla?: boolean; onRequesterReply?: string; position?: number }; response: unknown };
  };
  "/api/v1/states/{key}": {
    patch: { path: { key: string }; query: never; body: { label?: string; pausesSla?: boolean; onRequesterReply?: string; position?: number }; response: unknown };
  };
  "/api/v1/status-components": {
    get: { path: never; query: never; body: never; response: { items: ({ id: string; name: string; groupName: string | null; description: string; position: number; status: "operational" | "under_maintenance" | "degraded_performance" | "partial_outage" | "major_outage"; createdAt: string; updatedAt: string })[] } };
    post: { path: never; query: never; body: { name: string; groupName?: string | null; description?: string; position?: number; status?: "operational" | "under_maintenance" | "degraded_performance" | "partial_outage" | "major_outage" }; response: { id: string; name: string; groupName: string | null; description: string; position: number; status: "operational" | "under_maintenance" | "degraded_performance" | "partial_outage" | "major_outage"; createdAt: string; updatedAt: string } };
  };
  "/api/v1/status-components/{id}": {
    patch: { path: { id: string }; query: never; body: { name?: string; groupName?: string | null; description?: string; position?: number; status?: "operational" | "under_maintenance" | "degraded_performance" | "partial_outage" | "major_outage" }; response: { id: string; name: string; groupName: string | null; description: string; position: number; status: "operational" | "under_maintenance" | "degraded_performance" | "partial_outage" | "major_outage"; createdAt: string; updatedAt: string } };
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/status-maintenances": {
    get: { path: never; query: { status?: "scheduled" | "in_progress" | "completed" | "cancelled" }; body: never; response: { items: ({ id: string; title: string; description: string; status: "scheduled" | "in_progress" | "completed" | "cancelled"; startsAt: string; endsAt: string; notifySubscribers: boolean; startedAt: string | null; completedAt: string | null; cancelledAt: string | null; version: number; components: { id: string; name: string }[] })[] } };
    post: { path: never; query: never; body: { title: string; description?: string; componentIds: string[]; startsAt: string; endsAt: string; notifySubscribers?: boolean }; response: { id: string; title: string; description: string; status: "scheduled" | "in_progress" | "completed" | "cancelled"; startsAt: string; endsAt: string; notifySubscribers: boolean; startedAt: string | null; completedAt: string | null; cancelledAt: string | null; version: number; components: { id: string; name: string }[] } };
  };
  "/api/v1/status-maintenances/{id}": {
    get: { path: { id: string }; query: never; body: never; response: { id: string; title: string; description: string; status: "scheduled" | "in_progress" | "completed" | "cancelled"; startsAt: string; endsAt: string; notifySubscribers: boolean; startedAt: string | null; completedAt: string | null; cancelledAt: string | null; version: number; components: { id: string; name: string }[] } };
    patch: { path: { id: string }; query: never; body: { title?: string; description?: string; componentIds?: string[]; startsAt?: string; endsAt?: string; version?: number }; response: { id: string; title: string; description: string; status: "scheduled" | "in_progress" | "completed" | "cancelled"; startsAt: string; endsAt: string; notifySubscribers: boolean; startedAt: string | null; completedAt: string | null; cancelledAt: string | null; version: number; components: { id: string; name: string }[] } };
  };
  "/api/v1/status-maintenances/{id}/cancel": {
    post: { path: { id: string }; query: never; body: never; response: { id: string; title: string; description: string; status: "scheduled" | "in_progress" | "completed" | "cancelled"; startsAt: string; endsAt: string; notifySubscribers: boolean; startedAt: string | null; completedAt: string | null; cancelledAt: string | null; version: number; components: { id: string; name: string }[] } };
  };
  "/api/v1/status-page/logo": {
    put: { path: never; query: never; body: never; response: { contentType: string; size: number; sha256: string } };
    delete: { path: never; query: never; body: never; response: unknown };
  };
  "/api/v1/status-subscribers": {
    get: { path: never; query: { q?: string; status?: "pending" | "active" | "unsubscribed" | "bounced"; componentId?: string; limit?: number; offset?: number }; body: never; response: { items: ({ id: string; email: string; status: "pending" | "active" | "unsubscribed" | "bounced"; allComponents: boolean; componentIds: string[]; confirmedAt: string | null; softBounces: number; bounceReason: string | null; createdAt: string })[]; total: number; perComponent: { all: number; components: { id: string; name: string; subscribers: number }[] } } };
  };
  "/api/v1/status-subscribers/{id}": {
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/stream": {
    get: { path: never; query: { after?: number }; body: never; response: unknown };
  };
  "/api/v1/tags": {
    get: { path: never; query: { prefix?: string }; body: never; response: { items: string[] } };
  };
  "/api/v1/ticket-settings": {
    get: { path: never; query: never; body: never; response: { replyAssigns: boolean } };
    put: { path: never; query: never; body: { replyAssigns: boolean }; response: { replyAssigns: boolean } };
  };
  "/api/v1/tickets": {
    get: { path: never; query: { q?: string; status?: string; priority?: string; assignee?: string; group?: string; org?: string; requester?: string; tag?: string; type?: string; channel?: string; sort?: "created" | "updated" | "priority"; order?: "asc" | "desc"; limit?: number; cursor?: string }; body: never; response: { items: (({ id: string; number: number; subject: string; status: string; statusCategory: "new" | "open" | "pending" | "on_hold" | "solved" | "closed" | "merged"; priority: { key: string; name: string; rank: number; color: string } | null; type: string | null; requester: { id: string; name: string; email: string }; organizationId: string | null; assigneeId: string | null; groupId: string | null; channel: "email" | "web" | "api" | "phone" | "slack" | "github" | "widget" | "portal" | "other"; tags: string[]; productArea: string | null; dueAt: string | null; customFields: { [key: string]: unknown }; mergedIntoId: string | null; followUpOfId: string | null; version: number; createdAt: string; updatedAt: string; solvedAt: string | null; closedAt: string | null }) | ({ id: string; number: number; subject: string; status: "open" | "awaiting_your_reply" | "solved" | "closed"; requester: { id: string; name: string; email: string }; channel: "email" | "web" | "api" | "phone" | "slack" | "github" | "widget" | "portal" | "other"; mergedIntoId: string | null; followUpOfId: string | null; version: number; createdAt: string; updatedAt: string; solvedAt: string | null; closedAt: string | null }))[]; nextCursor: string | null; approximate?: boolean } };
    post: { path: never; query: never; body: { subject: string; description: string; format?: "markdown" | "html" | "text"; requesterId?: string; requester?: { email: string; name?: string }; organizationId?: string | null; assigneeId?: string | null; groupId?: string | null; status?: string; priority?: string; type?: string | null; channel?: "email" | "web" | "api" | "phone" | "slack" | "github" | "widget" | "portal" | "other"; tags?: string[]; productArea?: string | null; dueAt?: string | null; customFields?: { [key: string]: unknown }; followerIds?: string[]; cc?: string[]; attachmentIds?: string[] }; response: ({ id: string; number: number; subject: string; status: string; statusCategory: "new" | "open" | "pending" | "on_hold" | "solved" | "closed" | "merged"; priority: { key: string; name: string; rank: number; color: string } | null; type: string | null; requester: { id: string; name: string; email: string }; organizationId: string | null; assigneeId: string | null; groupId: string | null; channel: "email" | "web" | "api" | "phone" | "slack" | "github" | "widget" | "portal" | "other"; tags: string[]; productArea: string | null; dueAt: string | null; customFields: { [key: string]: unknown }; mergedIntoId: string | null; followUpOfId: string | null; version: number; createdAt: string; updatedAt: string; solvedAt: string | null; closedAt: string | null; followerIds: string[]; links: ({ id: string; kind: "related" | "duplicate_of" | "caused_by" | "external"; targetTicketId: string | null; targetNumber: number | null; url: string | null; title: string | null; createdAt: string })[] }) | ({ id: string; number: number; subject: string; status: "open" | "awaiting_your_reply" | "solved" | "closed"; requester: { id: string; name: string; email: string }; channel: "email" | "web" | "api" | "phone" | "slack" | "github" | "widget" | "portal" | "other"; mergedIntoId: string | null; followUpOfId: string | null; version: number; createdAt: string; updatedAt: string; solvedAt: string | null; closedAt: string | null; links: ({ id: string; kind: "related" | "duplicate_of" | "caused_by" | "external"; targetTicketId: string | null; targetNumber: number | null; url: string | null; title: string | null; createdAt: string })[] }) };
  };
  "/api/v1/tickets/{id}": {
    get: { path: { id: string }; query: never; body: never; response: ({ id: string; number: number; subject: string; status: string; statusCategory: "new" | "open" | "pending" | "on_hold" | "solved" | "closed" | "merged"; priority: { key: string; name: string; rank: number; color: string } | null; type: string | null; requester: { id: string; name: string; email: string }; organizationId: string | null; assigneeId: string | null; groupId: string | null; channel: "email" | "web" | "api" | "phone" | "slack" | "github" | "widget" | "portal" | "other"; tags: string[]; productArea: string | null; dueAt: string | null; customFields: { [key: string]: unknown }; mergedIntoId: string | null; followUpOfId: string | null; version: number; createdAt: string; updatedAt: string; solvedAt: string | null; closedAt: string | null; followerIds: string[]; links: ({ id: string; kind: "related" | "duplicate_of" | "caused_by" | "external"; targetTicketId: string | null; targetNumber: number | null; url: string | null; title: string | null; createdAt: string })[] }) | ({ id: string; number: number; subject: string; status: "open" | "awaiting_your_reply" | "solved" | "closed"; requester: { id: string; name: string; email: string }; channel: "email" | "web" | "api" | "phone" | "slack" | "github" | "widget" | "portal" | "other"; mergedIntoId: string | null; followUpOfId: string | null; version: number; createdAt: string; updatedAt: string; solvedAt: string | null; closedAt: string | null; links: ({ id: string; kind: "related" | "duplicate_of" | "caused_by" | "external"; targetTicketId: string | null; targetNumber: number | null; url: string | null; title: string | null; createdAt: string })[] }) };
    patch: { path: { id: string }; query: never; body: { version?: number; subject?: string; status?: string; priority?: string; type?: string | null; assigneeId?: string | null; groupId?: string | null; organizationId?: string | null; tags?: string[]; addTags?: string[]; removeTags?: string[]; productArea?: string | null; dueAt?: string | null; customFields?: { [key: string]: unknown }; followerIds?: string[] }; response: { id: string; number: number; subject: string; status: string; statusCategory: "new" | "open" | "pending" | "on_hold" | "solved" | "closed" | "merged"; priority: { key: string; name: string; rank: number; color: string } | null; type: string | null; requester: { id: string; name: string; email: string }; organizationId: string | null; assigneeId: string | null; groupId: string | null; channel: "email" | "web" | "api" | "phone" | "slack" | "github" | "widget" | "portal" | "other"; tags: string[]; productArea: string | null; dueAt: string | null; customFields: { [key: string]: unknown }; mergedIntoId: string | null; followUpOfId: string | null; version: number; createdAt: string; updatedAt: string; solvedAt: string | null; closedAt: string | null; followerIds: string[]; links: ({ id: string; kind: "related" | "duplicate_of" | "caused_by" | "external"; targetTicketId: string | null; targetNumber: number | null; url: string | null; title: string | null; createdAt: string })[] } };
  };
  "/api/v1/tickets/{id}/assignees": {
    get: { path: { id: string }; query: never; body: never; response: { group: { id: string; name: string } | null; items: ({ userId: string; name: string; email: string; available: boolean; inGroup: boolean; away: boolean; reason: "not_in_group" | "deactivated" | "light_agent" | null; why: string | null })[] } };
  };
  "/api/v1/tickets/{id}/backlog": {
    post: { path: { id: string }; query: never; body: never; response: { id: string; boardId: string; columnId: string; role: "new" | "up_next" | "in_progress" | "done" | null; position: number; epicsPosition: number; onEpics: boolean; organizationId: string | null; ticketId: string | null; ticketNumber: number | null; title: string; description: string; checklist: { text: string; done: boolean }[]; ownerIds: string[]; dueOn: string | null; estimateHours: number | null; labels: string[]; week: string | null; triage: boolean; checklistDone: number; checklistTotal: number; completedAt: string | null; archivedAt: string | null; version: number; updatedAt: string } };
  };
  "/api/v1/tickets/{id}/card": {
    get: { path: { id: string }; query: never; body: never; response: { card: { id: string; boardId: string; columnId: string; role: "new" | "up_next" | "in_progress" | "done" | null; position: number; epicsPosition: number; onEpics: boolean; organizationId: string | null; ticketId: string | null; ticketNumber: number | null; title: string; description: string; checklist: { text: string; done: boolean }[]; ownerIds: string[]; dueOn: string | null; estimateHours: number | null; labels: string[]; week: string | null; triage: boolean; checklistDone: number; checklistTotal: number; completedAt: string | null; archivedAt: string | null; version: number; updatedAt: string } | null } };
  };
  "/api/v1/tickets/{id}/escalate": {
    post: { path: { id: string }; query: never; body: { impact: string; tried: string; needed: string; urgency: "low" | "medium" | "high" | "critical"; toGroupId?: string; version?: number }; response: { id: string; number: number; subject: string; status: string; statusCategory: "new" | "open" | "pending" | "on_hold" | "solved" | "closed" | "merged"; priority: { key: string; name: string; rank: number; color: string } | null; type: string | null; requester: { id: string; name: string; email: string }; organizationId: string | null; assigneeId: string | null; groupId: string | null; channel: "email" | "web" | "api" | "phone" | "slack" | "github" | "widget" | "portal" | "other"; tags: string[]; productArea: string | null; dueAt: string | null; customFields: { [key: string]: unknown }; mergedIntoId: string | null; followUpOfId: string | null; version: number; createdAt: string; updatedAt: string; solvedAt: string | null; closedAt: string | null; followerIds: string[]; links: ({ id: string; kind: "related" | "duplicate_of" | "caused_by" | "external"; targetTicketId: string | null; targetNumber: number | null; url: string | null; title: string | null; createdAt: string })[] } };
  };
  "/api/v1/tickets/{id}/events": {
    get: { path: { id: string }; query: { after?: number }; body: never; response: { items: ({ id: number; ticketId: string; actorId: string | null; kind: string; field: string | null; fromValue: unknown; toValue: unknown; public: boolean; at: string; ticketVersion: number | null })[] } };
  };
  "/api/v1/tickets/{id}/incidents": {
    get: { path: { id: string }; query: never; body: never; response: { items: ({ id: string; number: number; title: string; severity: string; state: "investigating" | "identified" | "monitoring" | "resolved" | "pending_retro" | "closed" })[] } };
    post: { path: { id: string }; query: never; body: { incidentId: string }; response: { linked: string[] } };
  };
  "/api/v1/tickets/{id}/incidents/{incidentId}": {
    delete: { path: { id: string; incidentId: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/tickets/{id}/kb-articles": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/tickets/{id}/kb-draft": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/tickets/{id}/links": {
    post: { path: { id: string }; query: never; body: { kind: "related" | "duplicate_of" | "caused_by" | "external"; targetTicketId?: string; url?: string; title?: string }; response: { id: string; kind: "related" | "duplicate_of" | "caused_by" | "external"; targetTicketId: string | null; url: string | null; title: string | null; createdAt: string } };
  };
  "/api/v1/tickets/{id}/links/{linkId}": {
    delete: { path: { id: string; linkId: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/tickets/{id}/merge": {
    post: { path: { id: string }; query: never; body: { targetId: string }; response: { id: string; number: number; subject: string; status: string; statusCategory: "new" | "open" | "pending" | "on_hold" | "solved" | "closed" | "merged"; priority: { key: string; name: string; rank: number; color: string } | null; type: string | null; requester: { id: string; name: string; email: string }; organizationId: string | null; assigneeId: string | null; groupId: string | null; channel: "email" | "web" | "api" | "phone" | "slack" | "github" | "widget" | "portal" | "other"; tags: string[]; productArea: string | null; dueAt: string | null; customFields: { [key: string]: unknown }; mergedIntoId: string | null; followUpOfId: string | null; version: number; createdAt: string; updatedAt: string; solvedAt: string | null; closedAt: string | null; followerIds: string[]; links: ({ id: string; kind: "related" | "duplicate_of" | "caused_by" | "external"; targetTicketId: string | null; targetNumber: number | null; url: string | null; title: string | null; createdAt: string })[] } };
  };
  "/api/v1/tickets/{id}/messages": {
    get: { path: { id: string }; query: never; body: never; response: { items: ({ id: string; ticketId: string; public: boolean; direction: "inbound" | "outbound" | "internal"; channel: "email" | "web" | "api" | "phone" | "slack" | "github" | "widget" | "portal" | "other"; bodyText: string; bodyHtml: string; senderUnverified: boolean; createdAt: string; author: { id: string; name: string; role: string } | null; attachments: { id: string; filename: string; contentType: string; size: number }[] })[] } };
    post: { path: { id: string }; query: never; body: { body: string; format?: "markdown" | "html" | "text"; public?: boolean; attachmentIds?: string[]; status?: string; version?: number }; response: { messageId: string; followUp: boolean; ticket: ({ id: string; number: number; subject: string; status: string; statusCategory: "new" | "open" | "pending" | "on_hold" | "solved" | "closed" | "merged"; priority: { key: string; name: string; rank: number; color: string } | null; type: string | null; requester: { id: string; name: string; email: string }; organizationId: string | null; assigneeId: string | null; groupId: string | null; channel: "email" | "web" | "api" | "phone" | "slack" | "github" | "widget" | "portal" | "other"; tags: string[]; productArea: string | null; dueAt: string | null; customFields: { [key: string]: unknown }; mergedIntoId: string | null; followUpOfId: string | null; version: number; createdAt: string; updatedAt: string; solvedAt: string | null; closedAt: string | null; followerIds: string[]; links: ({ id: string; kind: "related" | "duplicate_of" | "caused_by" | "external"; targetTicketId: string | null; targetNumber: number | null; url: string | null; title: string | null; createdAt: string })[] }) | ({ id: string; number: number; subject: string; status: "open" | "awaiting_your_reply" | "solved" | "closed"; requester: { id: string; name: string; email: string }; channel: "email" | "web" | "api" | "phone" | "slack" | "github" | "widget" | "portal" | "other"; mergedIntoId: string | null; followUpOfId: string | null; version: number; createdAt: string; updatedAt: string; solvedAt: string | null; closedAt: string | null; links: ({ id: string; kind: "related" | "duplicate_of" | "caused_by" | "external"; targetTicketId: string | null; targetNumber: number | null; url: string | null; title: string | null; createdAt: string })[] }) } };
  };
  "/api/v1/tickets/{id}/messages/{messageId}/raw": {
    get: { path: { id: string; messageId: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/tickets/{id}/metrics": {
    get: { path: { id: string }; query: never; body: never; response: { metrics: { calendarId: string | null; createdAt: string; firstReplyAt: string | null; firstSolvedAt: string | null; solvedAt: string | null; reopens: number; agentReplies: number; requesterReplies: number; agentTouches: number; reassignments: number; escalations: number; frtS: number | null; frtBs: number | null; firstResolutionS: number | null; firstResolutionBs: number | null; fullResolutionS: number | null; fullResolutionBs: number | null; nextResponseS: number; nextResponseBs: number; nextResponseCount: number; requesterWaitS: number; requesterWaitBs: number; agentWaitS: number; agentWaitBs: number; onHoldS: number; onHoldBs: number; slaFirstResponse: string | null; slaNextResponse: string | null; slaPeriodicUpdate: string | null; slaResolution: string | null } | null; trace: { eventId: number; at: string; kind: string; note: string }[] } };
  };
  "/api/v1/tickets/{id}/presence": {
    get: { path: { id: string }; query: never; body: never; response: { items: { userId: string; name: string; typing: boolean; seenAt: string }[] } };
    post: { path: { id: string }; query: never; body: { typing?: boolean; leaving?: boolean }; response: { items: { userId: string; name: string; typing: boolean; seenAt: string }[] } };
  };
  "/api/v1/tickets/{id}/satisfaction": {
    get: { path: { id: string }; query: never; body: never; response: { items: ({ id: string; status: "scheduled" | "sent" | "answered" | "cancelled"; sendAt: string; sentAt: string | null; expiresAt: string | null; rating: "good" | "bad" | null; comment: string | null; reason: string | null; answeredAt: string | null; cancelledReason: string | null })[] } };
  };
  "/api/v1/tickets/{id}/sla": {
    get: { path: { id: string }; query: never; body: never; response: { items: ({ ticketId: string; metric: "first_response" | "next_response" | "periodic_update" | "resolution"; policyId: string | null; status: "running" | "paused" | "achieved" | "stopped"; targetMinutes: number; startedAt: string; runningSince: string | null; elapsedMinutes: number; dueAt: string | null; warnAt: string | null; achievedAt: string | null; warnedAt: string | null; breachedAt: string | null; remainingMinutes: number | null })[] } };
  };
  "/api/v1/tickets/{id}/time": {
    get: { path: { id: string }; query: never; body: never; response: { items: ({ id: string; userId: string; organizationId: string | null; ticketId: string | null; ticketNumber: number | null; cardId: string | null; workDate: string; minutes: number; description: string; billable: boolean; createdAt: string })[]; totalMinutes: number; people: { id: string; name: string }[]; organizations: { id: string; name: string }[] } };
  };
  "/api/v1/tickets/{ticketId}/macros/{id}/apply": {
    post: { path: { ticketId: string; id: string }; query: never; body: { body?: string; public: boolean; attachmentIds?: string[]; changes?: { status?: string; priority?: string; type?: string | null; groupId?: string | null; assigneeId?: "current_user" | string | null; addTags?: string[]; removeTags?: string[]; customFields?: { [key: string]: unknown } }; status?: string; version?: number }; response: { messageId: string | null; ticket: { id: string; number: number; subject: string; status: string; statusCategory: "new" | "open" | "pending" | "on_hold" | "solved" | "closed" | "merged"; priority: { key: string; name: string; rank: number; color: string } | null; type: string | null; requester: { id: string; name: string; email: string }; organizationId: string | null; assigneeId: string | null; groupId: string | null; channel: "email" | "web" | "api" | "phone" | "slack" | "github" | "widget" | "portal" | "other"; tags: string[]; productArea: string | null; dueAt: string | null; customFields: { [key: string]: unknown }; mergedIntoId: string | null; followUpOfId: string | null; version: number; createdAt: string; updatedAt: string; solvedAt: string | null; closedAt: string | null; followerIds: string[]; links: ({ id: string; kind: "related" | "duplicate_of" | "caused_by" | "external"; targetTicketId: string | null; targetNumber: number | null; url: string | null; title: string | null; createdAt: string })[] } } };
  };
  "/api/v1/tickets/{ticketId}/macros/{id}/render": {
    post: { path: { ticketId: string; id: string }; query: never; body: never; response: { body: string; public: boolean; changes: { status?: string; priority?: string; type?: string | null; groupId?: string | null; assigneeId?: string | null; addTags?: string[]; removeTags?: string[]; customFields?: { [key: string]: unknown } } } };
  };
  "/api/v1/tickets/bulk": {
    post: { path: never; query: never; body: { ids: string[]; changes?: { subject?: string; status?: string; priority?: string; type?: string | null; assigneeId?: string | null; groupId?: string | null; organizationId?: string | null; tags?: string[]; addTags?: string[]; removeTags?: string[]; productArea?: string | null; dueAt?: string | null; customFields?: { [key: string]: unknown }; followerIds?: string[] }; mergeIntoId?: string }; response: { items: { id: string; ok: boolean; code?: string; detail?: string }[] } };
  };
  "/api/v1/time/entries": {
    post: { path: never; query: never; body: { userId?: string; ticketId?: string; cardId?: string; organizationId?: string; workDate: string; minutes: number; description?: string; billable?: boolean }; response: { id: string; userId: string; organizationId: string | null; ticketId: string | null; ticketNumber: number | null; cardId: string | null; workDate: string; minutes: number; description: string; billable: boolean; createdAt: string } };
  };
  "/api/v1/time/entries/{id}": {
    patch: { path: { id: string }; query: never; body: { workDate?: string; minutes?: number; description?: string; billable?: boolean }; response: { id: string; userId: string; organizationId: string | null; ticketId: string | null; ticketNumber: number | null; cardId: string | null; workDate: string; minutes: number; description: string; billable: boolean; createdAt: string } };
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/time/preferences": {
    get: { path: never; query: never; body: never; response: { timeZone: string; endOfDay: string; reminders: boolean; weeklyHours: number; tracking: boolean } };
    put: { path: never; query: never; body: { timeZone: string; endOfDay: string; reminders: boolean; weeklyHours?: number }; response: { timeZone: string; endOfDay: string; reminders: boolean; weeklyHours: number; tracking: boolean } };
  };
  "/api/v1/time/reminders": {
    get: { path: never; query: never; body: never; response: { items: { day: string }[] } };
  };
  "/api/v1/time/reminders/dismiss": {
    post: { path: never; query: never; body: { day: string }; response: unknown };
  };
  "/api/v1/time/report": {
    get: { path: never; query: { from: string; to: string; organizationId?: string }; body: never; response: { from: string; to: string; customers: ({ organizationId: string | null; name: string; minutes: number; billableMinutes: number; entries: number })[]; tickets: ({ ticketId: string | null; ticketNumber: number | null; organizationId: string | null; minutes: number })[]; types: ({ type: string | null; label: string; minutes: number })[]; people: { userId: string; name: string; minutes: number; billableMinutes: number; entries: number }[]; totalMinutes: number } };
  };
  "/api/v1/time/report.csv": {
    get: { path: never; query: { from: string; to: string; organizationId?: string }; body: never; response: unknown };
  };
  "/api/v1/time/settings": {
    get: { path: never; query: never; body: never; response: { lockedThrough: string | null } };
    put: { path: never; query: never; body: { lockedThrough: string | null }; response: { lockedThrough: string | null } };
  };
  "/api/v1/time/timer": {
    get: { path: never; query: never; body: never; response: { timer: { startedAt: string; ticketId: string | null; cardId: string | null; organizationId: string | null; description: string } | null } };
    post: { path: never; query: never; body: { ticketId?: string; cardId?: string; organizationId?: string; description?: string }; response: { timer: { startedAt: string; ticketId: string | null; cardId: string | null; organizationId: string | null; description: string } | null } };
    delete: { path: never; query: never; body: never; response: unknown };
  };
  "/api/v1/time/timer/stop": {
    post: { path: never; query: never; body: { description?: string; billable?: boolean }; response: { id: string; userId: string; organizationId: string | null; ticketId: string | null; ticketNumber: number | null; cardId: string | null; workDate: string; minutes: number; description: string; billable: boolean; createdAt: string } };
  };
  "/api/v1/time/timesheet": {
    get: { path: never; query: { userId?: string; week?: string }; body: never; response: { userId: string; week: string; days: ({ day: string; minutes: number; items: ({ id: string; userId: string; organizationId: string | null; ticketId: string | null; ticketNumber: number | null; cardId: string | null; workDate: string; minutes: number; description: string; billable: boolean; createdAt: string })[] })[]; totalMinutes: number; lockedThrough: string | null; people: { id: string; name: string }[]; organizations: { id: string; name: string }[] } };
  };
  "/api/v1/tokens": {
    get: { path: never; query: never; body: never; response: unknown };
    post: { path: never; query: never; body: { name: string; scopes: ("tickets:read" | "tickets:write" | "users:read" | "users:write" | "inbound:email" | "admin")[] }; response: unknown };
  };
  "/api/v1/tokens/{id}": {
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/triggers": {
    get: { path: never; query: never; body: never; response: { items: ({ id: string; name: string; position: number; active: boolean; events: ("created" | "updated" | "message" | "sla_warning" | "sla_breached" | "sla_met" | "satisfaction_bad")[]; condition: Condition; actions: (({ type: "set"; field: "status" | "priority" | "type" | "group" | "assignee"; value: string | null }) | ({ type: "add_tags" | "remove_tags"; tags: string[] }) | ({ type: "note" | "reply"; body: string }) | ({ type: "escalate"; urgency: "low" | "medium" | "high" | "critical"; toGroupId?: string }) | ({ type: "email"; to: ("requester" | "assignee" | "group") | string; subject: string; body: string }) | { type: "webhook"; webhookId: string } | { type: "page"; policyId: string } | { type: "declare_incident"; severity?: string })[]; createdAt: string; updatedAt: string })[] } };
    post: { path: never; query: never; body: { name: string; position?: number; active?: boolean; events: ("created" | "updated" | "message" | "sla_warning" | "sla_breached" | "sla_met" | "satisfaction_bad")[]; condition?: ConditionInput; actions: (({ type: "set"; field: "status" | "priority" | "type" | "group" | "assignee"; value: string | null }) | ({ type: "add_tags" | "remove_tags"; tags: string[] }) | ({ type: "note" | "reply"; body: string }) | ({ type: "escalate"; urgency: "low" | "medium" | "high" | "critical"; toGroupId?: string }) | ({ type: "email"; to: ("requester" | "assignee" | "group") | string; subject: string; body: string }) | { type: "webhook"; webhookId: string } | { type: "page"; policyId: string } | { type: "declare_incident"; severity?: string })[] }; response: { id: string; name: string; position: number; active: boolean; events: ("created" | "updated" | "message" | "sla_warning" | "sla_breached" | "sla_met" | "satisfaction_bad")[]; condition: Condition; actions: (({ type: "set"; field: "status" | "priority" | "type" | "group" | "assignee"; value: string | null }) | ({ type: "add_tags" | "remove_tags"; tags: string[] }) | ({ type: "note" | "reply"; body: string }) | ({ type: "escalate"; urgency: "low" | "medium" | "high" | "critical"; toGroupId?: string }) | ({ type: "email"; to: ("requester" | "assignee" | "group") | string; subject: string; body: string }) | { type: "webhook"; webhookId: string } | { type: "page"; policyId: string } | { type: "declare_incident"; severity?: string })[]; createdAt: string; updatedAt: string } };
  };
  "/api/v1/triggers/{id}": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
    patch: { path: { id: string }; query: never; body: { name?: string; position?: number; active?: boolean; events?: ("created" | "updated" | "message" | "sla_warning" | "sla_breached" | "sla_met" | "satisfaction_bad")[]; condition?: ConditionInput; actions?: (({ type: "set"; field: "status" | "priority" | "type" | "group" | "assignee"; value: string | null }) | ({ type: "add_tags" | "remove_tags"; tags: string[] }) | ({ type: "note" | "reply"; body: string }) | ({ type: "escalate"; urgency: "low" | "medium" | "high" | "critical"; toGroupId?: string }) | ({ type: "email"; to: ("requester" | "assignee" | "group") | string; subject: string; body: string }) | { type: "webhook"; webhookId: string } | { type: "page"; policyId: string } | { type: "declare_incident"; severity?: string })[] }; response: { id: string; name: string; position: number; active: boolean; events: ("created" | "updated" | "message" | "sla_warning" | "sla_breached" | "sla_met" | "satisfaction_bad")[]; condition: Condition; actions: (({ type: "set"; field: "status" | "priority" | "type" | "group" | "assignee"; value: string | null }) | ({ type: "add_tags" | "remove_tags"; tags: string[] }) | ({ type: "note" | "reply"; body: string }) | ({ type: "escalate"; urgency: "low" | "medium" | "high" | "critical"; toGroupId?: string }) | ({ type: "email"; to: ("requester" | "assignee" | "group") | string; subject: string; body: string }) | { type: "webhook"; webhookId: string } | { type: "page"; policyId: string } | { type: "declare_incident"; severity?: string })[]; createdAt: string; updatedAt: string } };
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/types": {
    get: { path: never; query: never; body: never; response: { items: { key: string; label: string; position: number; active: boolean }[] } };
    post: { path: never; query: never; body: { key: string; label: string; position?: number }; response: unknown };
  };
  "/api/v1/types/{key}": {
    patch: { path: { key: string }; query: never; body: { label?: string; position?: number; active?: boolean }; response: unknown };
  };
  "/api/v1/users": {
    get: { path: never; query: { role?: "admin" | "agent" | "light_agent" | "customer"; organizationId?: string; q?: string; limit?: number; offset?: number }; body: never; response: { items: ({ id: string; email: string; name: string; role: "admin" | "agent" | "light_agent" | "customer"; organizationId: string | null; organizationSupervisor: boolean; ticketAccess: "all" | "groups"; active: boolean; createdAt: string })[] } };
    post: { path: never; query: never; body: { email: string; name: string; role: "admin" | "agent" | "light_agent" | "customer"; password?: string; organizationId?: string | null; ticketAccess?: "all" | "groups" }; response: { id: string; email: string; name: string; role: "admin" | "agent" | "light_agent" | "customer"; organizationId: string | null; organizationSupervisor: boolean; ticketAccess: "all" | "groups"; active: boolean; createdAt: string } };
  };
  "/api/v1/users/{id}": {
    get: { path: { id: string }; query: never; body: never; response: { id: string; email: string; name: string; role: "admin" | "agent" | "light_agent" | "customer"; organizationId: string | null; organizationSupervisor: boolean; ticketAccess: "all" | "groups"; active: boolean; createdAt: string } };
    patch: { path: { id: string }; query: never; body: { email?: string; name?: string; role?: "admin" | "agent" | "light_agent" | "customer"; password?: string; organizationId?: string | null; organizationSupervisor?: boolean; active?: boolean; ticketAccess?: "all" | "groups" }; response: { id: string; email: string; name: string; role: "admin" | "agent" | "light_agent" | "customer"; organizationId: string | null; organizationSupervisor: boolean; ticketAccess: "all" | "groups"; active: boolean; createdAt: string } };
  };
  "/api/v1/users/{id}/identities": {
    get: { path: { id: string }; query: never; body: never; response: unknown };
    post: { path: { id: string }; query: never; body: { kind: "email" | "slack" | "github" | "widget" | "phone"; value: string; scope?: string; verified?: boolean }; response: unknown };
  };
  "/api/v1/users/{id}/identities/{identityId}": {
    delete: { path: { id: string; identityId: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/users/{id}/merge": {
    post: { path: { id: string }; query: never; body: { duplicateId: string }; response: { survivorId: string; mergedId: string; moved: { tickets: number; messages: number; follows: number; identities: number } } };
  };
  "/api/v1/users/{id}/password-reset": {
    post: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/views": {
    get: { path: never; query: never; body: never; response: { items: ({ id: string; name: string; system: boolean; condition: Condition; columns: ("number" | "subject" | "requester" | "organization" | "status" | "priority" | "sla" | "type" | "group" | "assignee" | "channel" | "tags" | "created" | "updated")[]; sort: "created" | "updated" | "priority"; order: "asc" | "desc"; groupId: string | null; ownerId: string | null })[] } };
    post: { path: never; query: never; body: { name: string; condition: ConditionInput; columns?: ("number" | "subject" | "requester" | "organization" | "status" | "priority" | "sla" | "type" | "group" | "assignee" | "channel" | "tags" | "created" | "updated")[]; sort?: "created" | "updated" | "priority"; order?: "asc" | "desc"; groupId?: string | null; position?: number }; response: { id: string; name: string; system: boolean; condition: Condition; columns: ("number" | "subject" | "requester" | "organization" | "status" | "priority" | "sla" | "type" | "group" | "assignee" | "channel" | "tags" | "created" | "updated")[]; sort: "created" | "updated" | "priority"; order: "asc" | "desc"; groupId: string | null; ownerId: string | null } };
  };
  "/api/v1/views/{id}": {
    patch: { path: { id: string }; query: never; body: { name?: string; condition?: ConditionInput; columns?: ("number" | "subject" | "requester" | "organization" | "status" | "priority" | "sla" | "type" | "group" | "assignee" | "channel" | "tags" | "created" | "updated")[]; sort?: "created" | "updated" | "priority"; order?: "asc" | "desc"; groupId?: string | null; position?: number }; response: { id: string; name: string; system: boolean; condition: Condition; columns: ("number" | "subject" | "requester" | "organization" | "status" | "priority" | "sla" | "type" | "group" | "assignee" | "channel" | "tags" | "created" | "updated")[]; sort: "created" | "updated" | "priority"; order: "asc" | "desc"; groupId: string | null; ownerId: string | null } };
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/views/{id}/tickets": {
    get: { path: { id: string }; query: { limit?: number; cursor?: string; sort?: "created" | "updated" | "priority"; order?: "asc" | "desc" }; body: never; response: { items: ({ id: string; number: number; subject: string; status: string; statusCategory: "new" | "open" | "pending" | "on_hold" | "solved" | "closed" | "merged"; priority: { key: string; name: string; rank: number; color: string } | null; type: string | null; requester: { id: string; name: string; email: string }; organizationId: string | null; assigneeId: string | null; groupId: string | null; channel: "email" | "web" | "api" | "phone" | "slack" | "github" | "widget" | "portal" | "other"; tags: string[]; productArea: string | null; dueAt: string | null; customFields: { [key: string]: unknown }; mergedIntoId: string | null; followUpOfId: string | null; version: number; createdAt: string; updatedAt: string; solvedAt: string | null; closedAt: string | null })[]; nextCursor: string | null; approximate?: boolean } };
  };
  "/api/v1/views/counts": {
    get: { path: never; query: never; body: never; response: { counts: { [key: string]: number }; cap: number } };
  };
  "/api/v1/views/order": {
    put: { path: never; query: never; body: { ids: string[] }; response: unknown };
  };
  "/api/v1/views/saved": {
    get: { path: never; query: never; body: never; response: { items: ({ id: string; name: string; system: boolean; condition: Condition; columns: ("number" | "subject" | "requester" | "organization" | "status" | "priority" | "sla" | "type" | "group" | "assignee" | "channel" | "tags" | "created" | "updated")[]; sort: "created" | "updated" | "priority"; order: "asc" | "desc"; groupId: string | null; ownerId: string | null; position: number; ownerName: string })[] } };
  };
  "/api/v1/webhooks": {
    get: { path: never; query: never; body: never; response: { items: { id: string; name: string; url: string; active: boolean; createdAt: string; updatedAt: string }[] } };
    post: { path: never; query: never; body: { name: string; url: string; active?: boolean }; response: { id: string; name: string; url: string; active: boolean; createdAt: string; updatedAt: string; secret: string } };
  };
  "/api/v1/webhooks/{id}": {
    patch: { path: { id: string }; query: never; body: { name?: string; url?: string; active?: boolean }; response: { id: string; name: string; url: string; active: boolean; createdAt: string; updatedAt: string } };
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/webhooks/{id}/deliveries": {
    get: { path: { id: string }; query: never; body: never; response: { items: ({ id: string; webhookId: string; ticketId: string | null; payload: unknown; status: "pending" | "delivered" | "failed"; attempts: number; responseStatus: number | null; error: string | null; createdAt: string; deliveredAt: string | null })[] } };
  };
  "/api/v1/widget/{siteKey}/reports": {
    post: { path: { siteKey: string }; query: never; body: { idempotencyKey: string; description: string; email?: string; name?: string; identity?: string; attachments?: { filename: string; contentType?: string; data: string }[]; context?: { url?: string; referrer?: string; userAgent?: string; language?: string; timeZone?: string; viewport?: { width: number; height: number }; screen?: { width: number; height: number }; appVersion?: string; custom?: { [key: string]: string | number | boolean | null }; queuedAt?: string }; kbImpression?: string }; response: { duplicate: true; ticketNumber: number } };
  };
  "/api/v1/widget/{siteKey}/suggest": {
    get: { path: { siteKey: string }; query: { q: string; impression?: string; locale?: string }; body: never; response: { items: { id: string; slug: string; title: string; snippet: string; url: string; locale: string }[]; locale: string } };
  };
  "/api/v1/widget/{siteKey}/suggest/feedback": {
    post: { path: { siteKey: string }; query: never; body: { articleId: string; outcome: "solved" | "not_related" | "not_answered"; query?: string; impression?: string }; response: unknown };
  };
  "/api/v1/widget/{siteKey}/surveys": {
    post: { path: { siteKey: string }; query: never; body: { identity: string }; response: { items: ({ ticketNumber: number; subject: string; expiresAt: string | null; reasons: string[] })[] } };
  };
  "/api/v1/widget/{siteKey}/surveys/answer": {
    post: { path: { siteKey: string }; query: never; body: { rating: "good" | "bad"; comment?: string; reason?: string; identity: string; ticketNumber: number }; response: { ticketNumber: number; rating: "good" | "bad" | null; comment: string | null; reason: string | null } };
  };
  "/api/v1/widget/sites": {
    get: { path: never; query: never; body: never; response: { items: ({ id: string; name: string; siteKey: string; allowedOrigins: string[]; enabled: boolean; reportsPerMinute: number; visitorReportsPerMinute: number; organisationFromToken: "off" | "id" | "name"; lastReportAt: string | null; createdAt: string })[] } };
    post: { path: never; query: never; body: { name: string; allowedOrigins: string[]; enabled?: boolean; reportsPerMinute?: number; visitorReportsPerMinute?: number; organisationFromToken?: "off" | "id" | "name" }; response: { id: string; name: string; siteKey: string; allowedOrigins: string[]; enabled: boolean; reportsPerMinute: number; visitorReportsPerMinute: number; organisationFromToken: "off" | "id" | "name"; lastReportAt: string | null; createdAt: string; identitySecret: string } };
  };
  "/api/v1/widget/sites/{id}": {
    get: { path: { id: string }; query: never; body: never; response: { id: string; name: string; siteKey: string; allowedOrigins: string[]; enabled: boolean; reportsPerMinute: number; visitorReportsPerMinute: number; organisationFromToken: "off" | "id" | "name"; lastReportAt: string | null; createdAt: string } };
    patch: { path: { id: string }; query: never; body: { name?: string; allowedOrigins?: string[]; enabled?: boolean; reportsPerMinute?: number; visitorReportsPerMinute?: number; organisationFromToken?: "off" | "id" | "name" }; response: { id: string; name: string; siteKey: string; allowedOrigins: string[]; enabled: boolean; reportsPerMinute: number; visitorReportsPerMinute: number; organisationFromToken: "off" | "id" | "name"; lastReportAt: string | null; createdAt: string } };
    delete: { path: { id: string }; query: never; body: never; response: unknown };
  };
  "/api/v1/widget/sites/{id}/rotate-secret": {
    post: { path: { id: string }; query: never; body: never; response: { id: string; name: string; siteKey: string; allowedOrigins: string[]; enabled: boolean; reportsPerMinute: number; visitorReportsPerMinute: number; organisationFromToken: "off" | "id" | "name"; lastReportAt: string | null; createdAt: string; identitySecret: string } };
  };
  "/oncall/feed/person/{file}": {
    get: { path: { file: string }; query: { token: string }; body: never; response: unknown };
  };
  "/oncall/feed/schedule/{file}": {
    get: { path: { file: string }; query: { token: string }; body: never; response: unknown };
  };
  "/oncall/link/{id}/{action}": {
    get: { path: { id: string; action: "acknowledge" | "resolve" }; query: { token: string }; body: never; response: unknown };
    post: { path: { id: string; action: "acknowledge" | "resolve" }; query: never; body: { token: string }; response: unknown };
  };
}
