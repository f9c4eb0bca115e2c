import { api } from '../api/client';

// The knowledge base API's shapes as the screens use them (most of its routes declare no response schema yet).
export type Visibility = 'public' | 'signed_in' | 'organization' | 'internal';
export type ArticleStatus = 'draft' | 'scheduled' | 'published' | 'published_with_changes';
export type ArticleSummary = { id: string; sectionId: string; slug: string; title: string; visibility: Visibility; version: number; publishedVersion: number | null; publishAt: string | null };
export type Section = { id: string; categoryId: string; name: string; slug: string; description: string; position: number; articles: ArticleSummary[] };
export type Category = { id: string; name: string; slug: string; description: string; position: number; sections: Section[] };
export type Article = {
  id: string;
  sectionId: string;
  slug: string;
  title: string;
  body: string;
  visibility: Visibility;
  organizationIds: string[];
  version: number;
  publishedVersion: number | null;
  publishedAt: string | null;
  publishAt: string | null;
  sourceTicketId: string | null;
  status: ArticleStatus;
  reviewVersion: number | null;
  reviewRequestedBy: string | null;
  reviewRequestedAt: string | null;
  changesRequested: string | null;
  changesRequestedBy: string | null;
};
export type Version = { version: number; title: string; note: string; createdAt: string };
export type Diff = { from: number; to: number; title: { before: string; after: string }; lines: { op: '=' | '+' | '-'; text: string }[] };
export type Stats = { views: number; suggested: number; deflections: number; helpful: number; notHelpful: number; linkedInTickets: number; solvedAfterLinking: number; suggestionFeedback: Record<string, number> };
export type RelatedRef = { id: string; slug: string; title: string; visibility: Visibility; published: boolean };
export type RelatedList = { manual: RelatedRef[]; suggested: RelatedRef[] };
export type TranslationStatus = 'draft' | 'published' | 'published_with_changes';
export type Translation = {
  articleId: string;
  locale: string;
  title: string;
  body: string;
  version: number;
  publishedVersion: number | null;
  publishedAt: string | null;
  status: TranslationStatus;
  reviewVersion: number | null;
  reviewRequestedBy: string | null;
  changesRequested: string | null;
  changesRequestedBy: string | null;
};
export type TranslationVersion = { version: number; title: string; authorId: string | null; createdAt: string };
export type NameTranslation = { locale: string; name: string; description: string };
export const TRANSLATION_STATUS_LABELS: Record<TranslationStatus, string> = { draft: 'Draft', published: 'Published', published_with_changes: 'Published, unpublished changes' };
export type Suggestion = { id: string; slug: string; title: string; snippet: string; url: string };
export type Settings = { name: string; intro: string; primaryColor: string; accentColor: string; language: string; topicDays?: number; topicMinTickets?: number; requireReview?: boolean; locales?: string[] };
export type Topic = {
  id: string;
  label: string;
  words: string[];
  ticketCount: number;
  tickets: { id: string; number: number; subject: string; createdAt: string }[];
  explanation: { sharedWords: string[]; typos: { from: string; to: string }[]; bodyWords: string[]; type: { key: string; count: number } | null; tags: { tag: string; count: number }[] };
  flagged: boolean;
  firstAt: string;
  lastAt: string;
  article: { id: string; title: string | null; slug: string } | null;
};
export type Topics = { settings: { topicDays: number; topicMinTickets: number }; computedAt: string | null; items: Topic[] };

export const VISIBILITY_LABELS: Record<Visibility, string> = {
  public: 'Public (anyone)',
  signed_in: 'Signed-in customers',
  organization: 'Chosen organisations',
  internal: 'Internal (staff only)',
};
export const STATUS_LABELS: Record<ArticleStatus, string> = { draft: 'Draft', scheduled: 'Scheduled', published: 'Published', published_with_changes: 'Published, unpublished changes' };
export const STATUS_COLORS: Record<ArticleStatus, string> = { draft: 'gray', scheduled: 'grape', published: 'green', published_with_changes: 'yellow' };

export function statusOf(a: Pick<ArticleSummary, 'version' | 'publishedVersion' | 'publishAt'>): ArticleStatus {
  if (a.publishedVersion === null) return a.publishAt ? 'scheduled' : 'draft';
  return a.publishedVersion === a.version ? 'published' : 'published_with_changes';
}

const cast = <T>(p: Promise<unknown>) => p as Promise<T>;
export const kbApi = {
  tree: () => cast<{ items: Category[] }>(api.get('/api/v1/kb/tree')).then((r) => r.items),
  settings: () => cast<Settings>(api.get('/api/v1/kb/settings')),
  saveSettings: (body: Settings) => api.put('/api/v1/kb/settings', { body }),
  createCategory: (name: string, description: string) => cast<{ id: string }>(api.post('/api/v1/kb/categories', { body: { name, description } })),
  createSection: (categoryId: string, name: string, description: string) => cast<{ id: string }>(api.post('/api/v1/kb/sections', { body: { categoryId, name, description } })),
  article: (id: string) => cast<Article>(api.get('/api/v1/kb/articles/{id}', { path: { id } })),
  create: (body: { sectionId: string; title: string; body: string; visibility: Visibility; organizationIds: string[]; sourceTicketId?: string }) => cast<Article>(api.post('/api/v1/kb/articles', { body })),
  save: (id: string, body: { title: string; body: string; sectionId: string; visibility: Visibility; organizationIds: string[]; version: number; note: string }) =>
    cast<Article>(api.patch('/api/v1/kb/articles/{id}', { path: { id }, body })),
  publish: (id: string, at?: string | null) => cast<Article>(api.post('/api/v1/kb/articles/{id}/publish', { path: { id }, body: at === undefined ? {} : { at } })),
  requestReview: (id: string) => cast<Article>(api.post('/api/v1/kb/articles/{id}/review', { path: { id } })),
  approve: (id: string) => cast<Article>(api.post('/api/v1/kb/articles/{id}/review/approve', { path: { id } })),
  requestChanges: (id: string, note: string) => cast<Article>(api.post('/api/v1/kb/articles/{id}/review/changes', { path: { id }, body: { note } })),
  unpublish: (id: string) => cast<Article>(api.post('/api/v1/kb/articles/{id}/unpublish', { path: { id } })),
  versions: (id: string) => cast<{ items: Version[] }>(api.get('/api/v1/kb/articles/{id}/versions', { path: { id } })).then((r) => r.items),
  diff: (id: string, from: number, to: number) => cast<Diff>(api.get('/api/v1/kb/articles/{id}/diff', { path: { id }, query: { from, to } })),
  restore: (id: string, version: number) => cast<Article>(api.post('/api/v1/kb/articles/{id}/versions/{version}/restore', { path: { id, version } })),
  related: (id: string) => cast<RelatedList>(api.get('/api/v1/kb/articles/{id}/related', { path: { id } })),
  setRelated: (id: string, ids: string[]) => cast<RelatedList>(api.put('/api/v1/kb/articles/{id}/related', { path: { id }, body: { ids } })),
  translations: (id: string) => cast<{ items: Translation[] }>(api.get('/api/v1/kb/articles/{id}/translations', { path: { id } })).then((r) => r.items),
  saveTranslation: (id: string, locale: string, body: { title: string; body: string; version?: number }) =>
    cast<Translation>(api.put('/api/v1/kb/articles/{id}/translations/{locale}', { path: { id, locale }, body })),
  publishTranslation: (id: string, locale: string) => cast<Translation>(api.post('/api/v1/kb/articles/{id}/translations/{locale}/publish', { path: { id, locale } })),
  unpublishTranslation: (id: string, locale: string) => cast<Translation>(api.post('/api/v1/kb/articles/{id}/translations/{locale}/unpublish', { path: { id, locale } })),
  deleteTranslation: (id: string, locale: string) => api.delete('/api/v1/kb/articles/{id}/translations/{locale}', { path: { id, locale } }),
  requestTranslationReview: (id: string, locale: string) => cast<Translation>(api.post('/api/v1/kb/articles/{id}/translations/{locale}/review', { path: { id, locale } })),
  approveTranslation: (id: string, locale: string) => cast<Translation>(api.post('/api/v1/kb/articles/{id}/translations/{locale}/review/approve', { path: { id, locale } })),
  requestTranslationChanges: (id: string, locale: string, note: string) => cast<Translation>(api.post('/api/v1/kb/articles/{id}/translations/{locale}/review/changes', { path: { id, locale }, body: { note } })),
  translationVersions: (id: string, locale: string) => cast<{ items: TranslationVersion[] }>(api.get('/api/v1/kb/articles/{id}/translations/{locale}/versions', { path: { id, locale } })).then((r) => r.items),
  translationDiff: (id: string, locale: string, from: number, to: number) => cast<Diff>(api.get('/api/v1/kb/articles/{id}/translations/{locale}/diff', { path: { id, locale }, query: { from, to } })),
  restoreTranslation: (id: string, locale: string, version: number) => cast<Translation>(api.post('/api/v1/kb/articles/{id}/translations/{locale}/versions/{version}/restore', { path: { id, locale, version } })),
  categoryNames: (id: string) => cast<{ items: NameTranslation[] }>(api.get('/api/v1/kb/categories/{id}/translations', { path: { id } })).then((r) => r.items),
  saveCategoryName: (id: string, locale: string, body: { name: string; description: string }) => cast<NameTranslation>(api.put('/api/v1/kb/categories/{id}/translations/{locale}', { path: { id, locale }, body })),
  deleteCategoryName: (id: string, locale: string) => api.delete('/api/v1/kb/categories/{id}/translations/{locale}', { path: { id, locale } }),
  sectionNames: (id: string) => cast<{ items: NameTranslation[] }>(api.get('/api/v1/kb/sections/{id}/translations', { path: { id } })).then((r) => r.items),
  saveSectionName: (id: string, locale: string, body: { name: string; description: string }) => cast<NameTranslation>(api.put('/api/v1/kb/sections/{id}/translations/{locale}', { path: { id, locale }, body })),
  deleteSectionName: (id: string, locale: string) => api.delete('/api/v1/kb/sections/{id}/translations/{locale}', { path: { id, locale } }),
  stats: (id: string) => cast<Stats>(api.get('/api/v1/kb/articles/{id}/stats', { path: { id } })),
  preview: (body: string) => api.post('/api/v1/kb/preview', { body: { body } }).then((r) => r.html),
  suggest: (q: string) => api.get('/api/v1/kb/suggest', { query: { q } }).then((r) => r.items as Suggestion[]),
  use: (id: string, ticketId: string) => api.post('/api/v1/kb/articles/{id}/uses', { path: { id }, body: { ticketId } }),
  linked: (ticketId: string) => cast<{ items: { id: string; title: string; slug: string }[] }>(api.get('/api/v1/tickets/{id}/kb-articles', { path: { id: ticketId } })).then((r) => r.items),
  topics: () => cast<Topics>(api.get('/api/v1/kb/topics')),
  refreshTopics: () => api.post('/api/v1/kb/topics/refresh', {}),
  draftFromTicket: (ticketId: string) => cast<{ title: string; body: string; sourceTicketId: string }>(api.get('/api/v1/tickets/{id}/kb-draft', { path: { id: ticketId } })),
};
