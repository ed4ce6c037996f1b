-- Hand-written: what drizzle-kit cannot express from schema.pg.ts (the SQLite migrations' raw parts, for PostgreSQL).
-- The area generations view of SQLite's 0012 is drizzle-kit's own here (0000, from pgView in schema.pg.ts).

-- SQLite's rowid where the code orders by it (db/index.ts insertionOrder: ties between equal times). Not in
-- schema.pg.ts, as rowid is not in schema.sqlite.ts: selected rows have the same fields on both.
ALTER TABLE "participants" ADD COLUMN "insertion_order" bigint GENERATED ALWAYS AS IDENTITY;
--> statement-breakpoint
ALTER TABLE "pilot_status_history" ADD COLUMN "insertion_order" bigint GENERATED ALWAYS AS IDENTITY;
--> statement-breakpoint
ALTER TABLE "vote_rounds" ADD COLUMN "insertion_order" bigint GENERATED ALWAYS AS IDENTITY;
--> statement-breakpoint

-- The audit log is append-only (SQLite's 0014). The only change allowed: an account's deletion unlinking its
-- events (ON DELETE SET NULL); the label stays. Deleting only while the retention pruning holds the gate open.
CREATE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' THEN
		IF OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL AND NEW.id = OLD.id AND NEW.at = OLD.at
			AND NEW.actor_label = OLD.actor_label AND NEW.action = OLD.action
			AND NEW.subject_kind IS NOT DISTINCT FROM OLD.subject_kind AND NEW.subject_id IS NOT DISTINCT FROM OLD.subject_id
			AND NEW.details = OLD.details AND NEW.address IS NOT DISTINCT FROM OLD.address THEN
			RETURN NEW;
		END IF;
		RAISE EXCEPTION 'audit_events is append-only';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM audit_prune_gate) THEN
		RAISE EXCEPTION 'audit_events is append-only';
	END IF;
	RETURN OLD;
END $$;
--> statement-breakpoint
CREATE TRIGGER "audit_events_no_update" BEFORE UPDATE ON "audit_events" FOR EACH ROW EXECUTE FUNCTION "audit_events_append_only"();
--> statement-breakpoint
CREATE TRIGGER "audit_events_no_delete" BEFORE DELETE ON "audit_events" FOR EACH ROW EXECUTE FUNCTION "audit_events_append_only"();
--> statement-breakpoint

-- The learning library's full-text index (SQLite's FTS5 pilot_search of 0015): each text as written and its analysed
-- terms (base forms, compound parts, stems: text-analysis.ts), written by the application. The terms are already
-- analysed, so the tsvectors use the `simple` configuration (no stemming again); the application also folds case
-- and diacritics, as FTS5's unicode61 tokenizer did. Weights: A title, B learnings and reason, C summary.
CREATE TABLE "pilot_search" (
	"pilot_id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"summary" text NOT NULL,
	"learnings" text NOT NULL,
	"decision_reason" text NOT NULL,
	"title_terms" text NOT NULL,
	"summary_terms" text NOT NULL,
	"learnings_terms" text NOT NULL,
	"reason_terms" text NOT NULL,
	"terms" tsvector NOT NULL,
	"words" tsvector NOT NULL
);
--> statement-breakpoint
CREATE INDEX "pilot_search_terms_idx" ON "pilot_search" USING gin ("terms");
--> statement-breakpoint
CREATE INDEX "pilot_search_words_idx" ON "pilot_search" USING gin ("words");
--> statement-breakpoint

-- The write generation (db/postgres.ts): every committed statement that changed a watched table notifies the
-- nodes, whose reused pages and figures are then computed again. Board update logs are not watched (as on SQLite:
-- nothing reused until the next write is read from them, and during a workshop they are written every second).
-- verstas_watch_writes() runs after the migrations at every start-up, so tables added later are watched too.
CREATE FUNCTION "verstas_notify_write"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('verstas_writes', '');
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "verstas_watch_writes"() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	t record;
BEGIN
	FOR t IN
		SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind = 'r' AND n.nspname = current_schema()
			AND c.relname NOT IN ('board_updates', 'board_snapshots', 'private_board_updates', 'private_board_snapshots')
			AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'verstas_writes')
	LOOP
		EXECUTE format('CREATE TRIGGER verstas_writes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION verstas_notify_write()', t.relname);
	END LOOP;
END $$;
