import type { Response } from './client';

// Names for the API's shapes, all taken from the generated document types (nothing copied by hand).
export type Me = Response<'/api/v1/me', 'get'>;
export type Ticket = Response<'/api/v1/tickets/{id}', 'get'>;
export type TicketRow = Response<'/api/v1/tickets', 'get'>['items'][number];
export type TicketPage = Response<'/api/v1/tickets', 'get'>;
export type Message = Response<'/api/v1/tickets/{id}/messages', 'get'>['items'][number];
export type TicketEvent = Response<'/api/v1/tickets/{id}/events', 'get'>['items'][number];
export type View = Response<'/api/v1/views', 'get'>['items'][number];
export type User = Response<'/api/v1/users', 'get'>['items'][number];
export type Group = Response<'/api/v1/groups', 'get'>['items'][number];
export type Organization = Response<'/api/v1/organizations', 'get'>['items'][number];
export type State = Response<'/api/v1/states', 'get'>['items'][number];
export type Priority = Response<'/api/v1/priorities', 'get'>['items'][number];
export type TicketType = Response<'/api/v1/types', 'get'>['items'][number];
export type CustomField = Response<'/api/v1/custom-fields', 'get'>['items'][number];
export type Presence = Response<'/api/v1/tickets/{id}/presence', 'get'>['items'][number];
export type Condition = View['condition'];
