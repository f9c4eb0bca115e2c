-- Retro action items get a stable id and a reminded marker (the overdue reminder goes once per due date).
UPDATE "incident_retros" SET "action_items" = (
	SELECT coalesce(jsonb_agg(
		CASE WHEN x.e ? 'id' THEN x.e ELSE x.e || jsonb_build_object('id', gen_random_uuid()::text, 'remindedFor', null) END
		ORDER BY x.ord), '[]'::jsonb)
	FROM jsonb_array_elements("action_items") WITH ORDINALITY AS x(e, ord)
) WHERE jsonb_array_length("action_items") > 0;
