"""chipmate's built-in task plugins. Each subpackage registers through the ``chipmate`` entry-point group."""
