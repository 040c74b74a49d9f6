"""Reads a Delta table (e.g. one the plugin wrote) with the Python
`deltalake` package and prints it as JSON.

Usage: read_table.py PATH [VERSION]

Prints {"version": N, "rows": [...], "columns": [...], "partition_columns":
[...], "num_files": N, "history": [operation, ...]} with rows sorted by id
(timestamps as epoch microseconds, dates as epoch days), as make_tables.py
does.
"""

import json
import os
import sys

from deltalake import DeltaTable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tables import canonical  # noqa: E402


def main() -> None:
    path = sys.argv[1]
    version = int(sys.argv[2]) if len(sys.argv) > 2 else None
    table = DeltaTable(path, version=version) if version is not None else DeltaTable(path)
    data = table.to_pyarrow_table()
    out = {
        "version": table.version(),
        "rows": canonical(data),
        "columns": data.column_names,
        "partition_columns": table.metadata().partition_columns,
        "num_files": len(table.file_uris()),
        "history": [h.get("operation") for h in reversed(table.history())],
    }
    sys.stdout.write(json.dumps(out))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
