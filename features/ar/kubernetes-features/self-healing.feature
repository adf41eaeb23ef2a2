# language: ar
خاصية: العدد المطلوب من الـ pods بيفضل موجود
  "الـ Controller Manager بيفضل يقارن بين الـ Current Cluster State والـ Desired ويتأكد انهم Matched".
  الـ pod اللي اتمسحت بإيدي مبترجعش هي نفسها: بتتعوض بـ pod جديدة، ليها name جديد و uid جديد، عشان
  عدد الـ replicas يرجع زي ما الـ Deployment عايز.

  @HEAL-03
  سيناريو: الـ pod اللي اتمسحت بالإيد بتتعوض بـ pod جديدة
    بفرض شغلت "kubectl create deployment web --image=registry.internal/ock/app:1 --replicas=3"
    و الـ command نجح
    و خلال 20 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running
    عندما مسحت pod من الـ pods اللي عليها الـ label "app=web"
    اذاً خلال 20 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running
    و الـ pod اللي اتمسحت اتعوضت بـ pod ليها name و uid جداد
