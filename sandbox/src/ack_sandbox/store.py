"""SQLite persistence: every object the sandbox holds, its call log and its settings survive a restart."""

import json
import sqlite3
import threading

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
                                    PRIMARY KEY (kind, id));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS calls (seq INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT NOT NULL);
"""


class Store:
    def __init__(self, path):
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def load_objects(self):
        tables = {}
        with self._lock:
            for kind, oid, data in self._db.execute("SELECT kind, id, data FROM objects"):
                tables.setdefault(kind, {})[oid] = json.loads(data)
        return tables

    def write(self, puts, deletes):
        """Apply one request's changes in a single transaction."""
        if not puts and not deletes:
            return
        with self._lock:
            self._db.execute("BEGIN")
            try:
                for (kind, oid) in deletes:
                    self._db.execute("DELETE FROM objects WHERE kind=? AND id=?", (kind, oid))
                for (kind, oid), obj in puts.items():
                    self._db.execute("INSERT OR REPLACE INTO objects (kind, id, data) VALUES (?, ?, ?)",
                                     (kind, oid, json.dumps(obj, sort_keys=True)))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def wipe_objects(self):
        with self._lock:
            self._db.execute("DELETE FROM objects")

    def get_meta(self, key, default=None):
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_meta(self, key, value):
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def add_call(self, entry):
        with self._lock:
            cur = self._db.execute("INSERT INTO calls (data) VALUES (?)", (json.dumps(entry, sort_keys=True),))
            return cur.lastrowid

    def calls(self, since=0):
        with self._lock:
            rows = self._db.execute("SELECT seq, data FROM calls WHERE seq > ? ORDER BY seq", (since,)).fetchall()
        result = []
        for seq, data in rows:
            entry = json.loads(data)
            entry["seq"] = seq
            result.append(entry)
        return result

    def clear_calls(self):
        with self._lock:
            self._db.execute("DELETE FROM calls")

    def close(self):
        with self._lock:
            self._db.close()
