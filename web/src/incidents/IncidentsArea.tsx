import { IncidentPage } from './IncidentPage';
import { IncidentsPage } from './IncidentsPage';

/** /incidents and /incidents/:id: one route in the app's router. */
export function IncidentsArea({ id }: { id?: string }) {
  return id ? <IncidentPage key={id} id={id} /> : <IncidentsPage />;
}
