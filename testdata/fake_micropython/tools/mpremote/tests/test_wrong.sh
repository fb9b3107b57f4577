#!/bin/bash
echo unexpected
