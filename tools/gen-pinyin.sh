#!/bin/sh
echo "/* placeholder */"
