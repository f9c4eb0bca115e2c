import { BoardPage } from './BoardPage';
import { BoardsPage } from './BoardsPage';
import { PlanningPage } from './PlanningPage';

/** /boards, /boards/planning and /boards/:id (or /boards/epics): one route in the app's router. */
export function BoardsArea({ id }: { id?: string }) {
  if (id === 'planning') return <PlanningPage />;
  return id ? <BoardPage key={id} id={id} /> : <BoardsPage />;
}
