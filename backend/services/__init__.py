"""Use cases. Every public function here is a ``@use_case``: it takes the portal and the acting
user first, and checks company and role before it reads or writes (see ``context``)."""
