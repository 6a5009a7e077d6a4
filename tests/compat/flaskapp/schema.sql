-- Logbook's tables; `flask init-db` (here `microweb init-db`) runs this.
DROP TABLE IF EXISTS entry;
DROP TABLE IF EXISTS member;

CREATE TABLE member (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT UNIQUE NOT NULL,
  password_hash TEXT NOT NULL
);

CREATE TABLE entry (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  author_id INTEGER NOT NULL REFERENCES member (id),
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  shared INTEGER NOT NULL DEFAULT 0,
  written TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
