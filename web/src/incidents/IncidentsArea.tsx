import { IncidentPage } from './IncidentPage';
import { IncidentsPage } from './IncidentsPage';
import { MaintenancePage, SubscribersPage } from './StatusPages';

/** /incidents, /incidents/maintenance, /incidents/subscribers and /incidents/:id: one route in the app's router. */
export function IncidentsArea({ id }: { id?: string }) {
  if (id === 'maintenance') return <MaintenancePage />;
  if (id === 'subscribers') return <SubscribersPage />;
  return id ? <IncidentPage key={id} id={id} /> : <IncidentsPage />;
}
