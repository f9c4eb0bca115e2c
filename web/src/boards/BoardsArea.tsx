import { BoardPage } from './BoardPage';
import { BoardsPage } from './BoardsPage';

/** /boards and /boards/:id (or /boards/epics): one route in the app's router. */
export function BoardsArea({ id }: { id?: string }) {
  return id ? <BoardPage key={id} id={id} /> : <BoardsPage />;
}
