# language: ar
خاصية: الـ kubelet بتسجل الـ node بتاعتها
  "الـ Kubelet ده نقدر نعتبره الـ agent اللي بيكون موجود وشغال في كل Worker Node ... بيسجلها عند الـ
  Master Node API Server." كل node بتظهر في الـ API كـ Node object الـ kubelet هي اللي عملته وبتفضل
  تحدثه: الـ machine فيها إيه (الـ capacity، واللي الـ pods تقدر تستخدمه منها)، والـ labels والـ addresses
  بتاعتها، والـ version بتاعة الـ kubelet والـ container runtime، وهي Ready ولا لأ. والـ kubelet اللي بيتعملها
  restart بتلاقي الـ Node بتاعتها تاني بدل ما تضيف واحدة تانية.

  @KUBELET-01
  سيناريو: كل node متسجلة بالـ capacity والـ labels والـ addresses بتاعتها
    بفرض cluster فيه 1 node على الأقل
    اذاً كل node تبقى Ready وفيها:
      | metadata.labels['kubernetes.io/hostname'] | <its name>  |
      | metadata.labels['kubernetes.io/os']       | linux       |
      | status.capacity.cpu                       | <non-empty> |
      | status.capacity.memory                    | <non-empty> |
      | status.capacity.pods                      | <non-empty> |
      | status.allocatable.cpu                    | <non-empty> |
      | status.addresses[type=InternalIP].address | <non-empty> |
      | status.nodeInfo.kubeletVersion            | <non-empty> |
      | status.nodeInfo.containerRuntimeVersion   | <non-empty> |

  @KUBELET-01 @faults
  سيناريو: الـ kubelet اللي اتعملها restart مبتسجلش الـ node بتاعتها مرتين
    بفرض cluster فيه 1 node على الأقل
    عندما الـ kubelet بتاعة الـ node "node-1" اتعملها restart
    اذاً خلال 10 ثواني يبقى فيه node واحدة بس اسمها "node-1"، هي نفسها اللي كانت قبل كده
    و فيه Lease واحدة بس للـ node "node-1"
