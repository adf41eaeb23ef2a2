#!/bin/sh
# `/`: says which pod answered.
printf 'Content-Type: text/plain\r\n\r\n'
echo "pod=${POD_NAME:-?} namespace=${POD_NAMESPACE:-?} ip=${POD_IP:-?} version=$(cat /etc/app/version)"
