import { sql } from 'drizzle-orm';
import { type Executor, rowsOf } from '../../db/client.js';
import { tickets } from './tickets.schema.js';

/** Of these agents, the one with the fewest unsolved tickets (ties: the lowest id); null for none. Auto-assignment's "least loaded". */
export async function leastLoaded(ex: Executor, agentIds: string[]): Promise<string | null> {
  if (agentIds.length === 0) return null;
  const [least] = rowsOf<{ id: string }>(
    await ex.execute(sql`
      select u.id from (select jsonb_array_elements_text(${JSON.stringify(agentIds)}::jsonb)::uuid as id) as u
      left join ${tickets} t on t.assignee_id = u.id and t.status_category in ('new', 'open', 'pending', 'on_hold')
      group by u.id order by count(t.id), u.id limit 1`),
  );
  return least?.id ?? null;
}
