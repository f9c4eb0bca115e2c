-- Retro action items get a stable id and a reminded marker (the overdue reminder goes once per due date). An item
-- already past its due date (UTC day) counts as reminded for it: the first sweep after the upgrade must not mail
-- every historical overdue item at once; a later due date re-arms it as usual.
UPDATE "incident_retros" SET "action_items" = (
	SELECT coalesce(jsonb_agg(
		CASE WHEN x.e ? 'id' THEN x.e ELSE x.e || jsonb_build_object('id', gen_random_uuid()::text, 'remindedFor',
			CASE WHEN x.e->>'dueOn' < to_char((now() AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') THEN x.e->'dueOn' ELSE 'null'::jsonb END) END
		ORDER BY x.ord), '[]'::jsonb)
	FROM jsonb_array_elements("action_items") WITH ORDINALITY AS x(e, ord)
) WHERE jsonb_array_length("action_items") > 0;
