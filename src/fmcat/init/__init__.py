"""`fmcat init`: a catalog skeleton from the code's external calls, and updates to it.

- calls.py: the call sites, as the catalog's comments show them, and their hosts;
- vendors.py: the vendor a host belongs to (`api.github.com` and `github.com`: `github`);
- groups.py: sites grouped into dependencies, and the match rules that attribute them;
- kinds.py: the kind and criticality guesses, as tables;
- plan.py: new files and additions to existing ones, checked with lint's attribution;
- skeleton.py: a new file's text; edit.py: insertions into a file someone wrote;
- write.py: all-or-nothing writes; run.py: the whole command as a library call.
"""

from fmcat.init.run import Change, InitOptions, InitResult, run_init

__all__ = ["Change", "InitOptions", "InitResult", "run_init"]
