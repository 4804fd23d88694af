"""The HTTP front end of ``kg serve``: requests are read completely before a thread runs them."""
