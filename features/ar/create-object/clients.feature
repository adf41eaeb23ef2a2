# language: ar
@FLOW-01
خاصية: عمل create لـ object: أي client بيبعت الـ Desired State للـ API Server
  "1- أول حاجة الـ user بيبعت للـ Master Node API Server الـ Desired State انه محتاج يعمل Deployment مثلاً."
  والـ user بيبعتها بأي client عنده: kubectl، أو official client library باللغة بتاعته. كلهم بيكلموا
  نفس الـ API، وكل واحد لازم ياخد من الـ cluster نفس اللي كان حياخده من أي Kubernetes API Server: اللي
  عمله create و list و patch و delete؛ والـ events بتاعة الـ watch بتاعه؛ والـ output والـ exit code
  بتوع command شغله في container؛ والرد اللي جاله من port عمله port-forward. اللي الـ client بيقوله
  بنتأكد منه زي ما الـ client قاله، وكل تغيير عمله بنتأكد منه تاني من الـ API.

  سيناريو مخطط: أي client بيعمل create و list و watch و patch و delete من خلال الـ API
    بفرض <client> متسطب
    و <client> عامل watch على الـ config maps
    عندما <client> عمل create للـ config map "settings" وفيها "colour=blue"
    اذاً <client> عمل list ولقى الـ config map "settings"
    و الـ config map "settings" فيه:
      | data.colour | blue |
    عندما <client> عمل patch للـ config map "settings" بـ patch من كل نوع: <patch types>
    اذاً الـ config map "settings" فيها الـ key بتاع كل patch: <patch types>
    عندما <client> عمل delete للـ config map "settings"
    اذاً الـ config map "settings" مش موجودة
    و الـ watch بتاع <client> شاف الـ config map "settings": "ADDED, MODIFIED, DELETED"

    امثلة:
      | client  | patch types                                        |
      | kubectl | merge و JSON و strategic merge و server-side apply |
      | python  | JSON و strategic merge                             |

  @docker
  سيناريو مخطط: أي client بيشغل command في container وياخد الـ output والـ exit code، وبيعمل port-forward
    بفرض <client> متسطب
    و عملت apply للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata: {name: app}
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
            ports: [{containerPort: 8080}]
      """
    و خلال 60 ثانية الـ pod "app" تبقى Running
    عندما <client> شغل "sh -c 'read line; echo got $line; exit 3'" في الـ pod "app" والـ input بتاعه "hello"
    اذاً <client> طلع الـ output "got hello" والـ exit code 3
    عندما <client> عمل port-forward للـ port 8080 بتاع الـ pod "app" وطلب "/version"
    اذاً <client> جاله الرد "1"

    امثلة:
      | client  |
      | kubectl |
      | python  |
