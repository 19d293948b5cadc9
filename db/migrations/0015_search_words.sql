CREATE TABLE "search_words" (
	"term" text NOT NULL,
	"word" text NOT NULL,
	CONSTRAINT "search_words_term_word_pk" PRIMARY KEY("term","word")
);
--> statement-breakpoint
CREATE INDEX "search_words_word_idx" ON "search_words" USING btree ("word");