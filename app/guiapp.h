#pragma once

// Starts the workbench window; returns the application's exit code.
int runGui(int &argc, char **argv);
