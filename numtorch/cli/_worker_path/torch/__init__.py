"""``import torch`` in a process that ``numtorch run`` started with the spawn or forkserver
method (DataLoader workers, multiprocessing pools).

Such a process is a fresh interpreter: it re-imports the program's main module before it gets
any work, and the program's ``import torch`` must give numtorch there too. ``numtorch run`` puts
this folder on ``sys.path``, which those processes inherit; this module then installs the alias
and hands ``numtorch`` back in its own place. Imported under any other name, it does nothing.
"""

if __name__ == "torch":
    from numtorch.cli.run import install_torch_alias

    install_torch_alias()
