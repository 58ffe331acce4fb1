"""moto's server, with DynamoDB's serialisation of writes to an item.

DynamoDB applies the writes to one item one at a time: a conditional write's condition is
evaluated against the item as the previous write left it. moto's server is threaded and
checks a condition, then writes, without a lock, so two concurrent conditional writes to
one item can both pass (seen with 50 concurrent identical callbacks: `UpdateItem`'s check
and write are far enough apart). This launcher serialises moto's item writes with one lock
and then runs moto's own `moto_server` entry point with the same arguments.
"""

import functools
import threading

from moto.dynamodb.models import DynamoDBBackend
from moto.server import main

_WRITES = threading.RLock()

for _name in ("put_item", "update_item", "delete_item", "transact_write_items"):
    _original = getattr(DynamoDBBackend, _name)

    @functools.wraps(_original)
    def _serialised(self, *args, __original=_original, **kwargs):
        with _WRITES:
            return __original(self, *args, **kwargs)

    setattr(DynamoDBBackend, _name, _serialised)

if __name__ == "__main__":
    main()
